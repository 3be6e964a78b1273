package uri_test

import (
	"errors"
	"fmt"

	"github.com/sipsim/sipsim/sipstack/uri"
)

func ExampleParse() {
	u, err := uri.Parse("sip:alice:secretword@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Scheme, u.User, u.Password, u.Host, u.Port)
	fmt.Println(u.Params, u.Headers)
	fmt.Println(u.Transport(), u.LooseRouting())
	subject, _ := u.Header("subject")
	fmt.Println(subject)
	// Output:
	// sip alice secretword atlanta.example.com 5061
	// ;transport=tcp;lr ?subject=project%20x
	// tcp true
	// project x
}

// Escapes are undone once, never twice (RFC 4475 3.1.1.3).
func ExampleParse_escapes() {
	u, _ := uri.Parse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31")
	name, _ := u.Param("name")
	fmt.Println(u.User, u.HasParam("lr"), name)
	// Output: caller true value%41
}

func ExampleParse_tel() {
	u, _ := uri.Parse("tel:863-1234;phone-context=+1-914-555")
	ctx, _ := u.Param("phone-context")
	fmt.Println(u.Scheme, u.User, ctx)
	// Output: tel 863-1234 +1-914-555
}

func ExampleParse_error() {
	_, err := uri.Parse("sip:user@example.com; lr")
	fmt.Println(err)
	var e *uri.Error
	if errors.As(err, &e) && errors.Is(err, uri.ErrWhitespace) {
		fmt.Println("offset", e.Offset)
	}
	// Output:
	// uri: white space inside a URI at offset 21 near " lr"
	// offset 21
}

func ExampleURI_Equal() {
	a, _ := uri.Parse("sip:%61lice@atlanta.com;transport=TCP")
	b, _ := uri.Parse("sip:alice@AtLanTa.CoM;Transport=tcp")
	c, _ := uri.Parse("sip:alice@atlanta.com:5060;transport=tcp")
	fmt.Println(a.Equal(b)) // RFC 3261 19.1.4: escapes and host case do not matter
	fmt.Println(a.Equal(c)) // an explicit default port does
	// Output:
	// true
	// false
}

func ExampleURI_AppendTo() {
	u := uri.URI{Scheme: uri.SchemeSIP, User: "I have spaces", Host: "example.net"}
	buf := make([]byte, 0, 64)
	buf = append(buf, '<')
	buf = u.AppendTo(buf)
	buf = append(buf, '>')
	fmt.Println(string(buf))
	// Output: <sip:I%20have%20spaces@example.net>
}

func ExampleURI_WithParam() {
	u, _ := uri.Parse("sip:p1.example.com;transport=udp")
	fmt.Println(u.WithParam("transport", "tcp").WithParam("lr", ""))
	// Output: sip:p1.example.com;transport=tcp;lr
}

func ExampleURI_AOR() {
	u, _ := uri.Parse("sip:Bob@Biloxi.Example.COM;transport=tcp?subject=x")
	fmt.Println(u.AOR())
	// Output: sip:Bob@biloxi.example.com
}
