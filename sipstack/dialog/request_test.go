package dialog

import (
	"strconv"
	"testing"
)

func TestMaxForwardsValue(t *testing.T) {
	if got := strconv.Itoa(MaxForwards); got != maxForwardsValue {
		t.Errorf("MaxForwards %s, header text %s", got, maxForwardsValue)
	}
}
