package sdp

import "fmt"

// Reoffer returns a copy of prev, the last description this side sent
// (offer or answer), ready to be changed into a new offer: RFC 3264 8
// requires the o= line of the new description to equal the previous one
// except for the version, incremented by one. Existing m lines stay in
// place; the caller may change them and add more, but must not remove any
// (RFC 3264 8: disable a stream by setting its port to zero instead).
// It fails with [ErrVersionOverflow] if the version cannot be incremented.
func Reoffer(prev *Session) (*Session, error) {
	if prev == nil {
		return nil, fmt.Errorf("%w: nil previous session", ErrCapabilities)
	}
	o, err := prev.Origin.Next()
	if err != nil {
		return nil, err
	}
	s := prev.Clone()
	s.Origin = o
	return s, nil
}

// AddMedia returns a new offer that is prev with the stream c added
// (RFC 3264 8.1). If prev has an m line of the same media type, that slot
// is reused: the new media description replaces it in place. This covers
// reusing a disabled (port zero) slot, which RFC 3264 8.1 allows, and
// re-offering a stream the peer rejected, whose m line in prev still has a
// port. Otherwise the new m line goes after the existing ones. Only slots
// of the same media type are reused, so every m line keeps its media type
// and answers stay easy to match with [ValidateAnswer].
//
// The stream takes the session-level connection; prev must have one or
// the new stream fails validation on Marshal.
func AddMedia(prev *Session, c MediaCapability) (*Session, error) {
	m, err := offerMedia(&c)
	if err != nil {
		return nil, err
	}
	s, err := Reoffer(prev)
	if err != nil {
		return nil, err
	}
	for i := range s.Media {
		if s.Media[i].Type == c.Type {
			s.Media[i] = m
			return s, nil
		}
	}
	if len(s.Media) >= MaxMedia {
		return nil, fmt.Errorf("%w: cannot add a stream to %d", ErrTooManyMedia, len(s.Media))
	}
	s.Media = append(s.Media, m)
	return s, nil
}

// RemoveMedia returns a new offer that is prev with every active stream of
// mediaType disabled (RFC 3264 8.2): its port set to zero, its format list
// cut to the first format and its attributes and bandwidths dropped, which
// RFC 3264 8.2 permits. The m line stays in place. It fails with
// [ErrNoSuchMedia] if prev has no active stream of that type.
func RemoveMedia(prev *Session, mediaType string) (*Session, error) {
	s, err := Reoffer(prev)
	if err != nil {
		return nil, err
	}
	found := false
	for i := range s.Media {
		m := &s.Media[i]
		if m.Type != mediaType || m.Disabled() {
			continue
		}
		found = true
		m.Port, m.PortCount = 0, 0
		if len(m.Formats) > 1 {
			m.Formats = m.Formats[:1]
		}
		m.Bandwidths, m.Attributes = nil, nil
	}
	if !found {
		return nil, fmt.Errorf("%w: no active %s stream", ErrNoSuchMedia, mediaType)
	}
	return s, nil
}

// AddVideo returns a new offer adding the video stream video to prev, as a
// user agent does to add videoconferencing to a call with a re-INVITE. It
// is [AddMedia] with video.Type set to "video".
func AddVideo(prev *Session, video MediaCapability) (*Session, error) {
	video.Type = "video"
	return AddMedia(prev, video)
}

// RemoveVideo returns a new offer that disables the video streams of prev
// (port zero, RFC 3264 8.2), keeping the rest of the call. It is
// [RemoveMedia] for "video".
func RemoveVideo(prev *Session) (*Session, error) {
	return RemoveMedia(prev, "video")
}

// Hold returns a new offer putting every active stream of prev on hold
// (RFC 3264 8.4): a stream that was sendrecv becomes sendonly and one that
// was recvonly becomes inactive; sendonly and inactive streams stay as
// they are. Directions are written at media level, and override any
// session-level one.
func Hold(prev *Session) (*Session, error) {
	return redirect(prev, func(d Direction) Direction {
		return makeDirection(d.Sends(), false)
	})
}

// Resume returns a new offer taking every active stream of prev off hold,
// the reverse of [Hold]: sendonly becomes sendrecv and inactive becomes
// recvonly. Streams that end up sendrecv carry no direction attribute,
// since sendrecv is the default (RFC 3264 5.1), unless a session-level
// direction attribute would then apply to them.
func Resume(prev *Session) (*Session, error) {
	return redirect(prev, func(d Direction) Direction {
		return makeDirection(d.Sends(), true)
	})
}

// redirect builds a re-offer whose active streams have direction f(old).
func redirect(prev *Session, f func(Direction) Direction) (*Session, error) {
	s, err := Reoffer(prev)
	if err != nil {
		return nil, err
	}
	sessionDir := s.Attributes.Direction()
	for i := range s.Media {
		if s.Media[i].Disabled() {
			continue
		}
		d := f(prev.MediaDirection(i))
		if d == SendRecv && sessionDir == 0 {
			s.Media[i].Attributes.SetDirection(0)
		} else {
			s.Media[i].Attributes.SetDirection(d)
		}
	}
	return s, nil
}
