package sourcemaps

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxDepth bounds the nesting a map may have: a source map nests three deep.
const maxDepth = 1000

// validObject reads r to its end and reports whether it holds one JSON
// object, as a source map is. Unlike json.Valid it holds no more of r than
// a read buffer: a 60 MB map's mappings string is one token that a decoder
// would hold whole.
func validObject(r io.Reader) error {
	s := &jsonScanner{r: bufio.NewReaderSize(r, 64<<10)}
	c, err := s.next()
	switch {
	case err != nil:
		return s.fail(err)
	case c != '{':
		return s.fail(fmt.Errorf("it starts with %q, not {", c))
	}
	if err := s.object(0); err != nil {
		return s.fail(err)
	}
	if c, err := s.next(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = fmt.Errorf("%q after the end of the JSON", c)
		}
		return s.fail(err)
	}
	return nil
}

type jsonScanner struct {
	r   *bufio.Reader
	off int64
}

var errEnd = errors.New("the file ends early")

func (s *jsonScanner) fail(err error) error {
	if errors.Is(err, io.EOF) {
		err = errEnd
	}
	return fmt.Errorf("not JSON at byte %d: %w", s.off, err)
}

// next is the next byte that is not white space.
func (s *jsonScanner) next() (byte, error) {
	for {
		c, err := s.byte()
		if err != nil || c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c, err
		}
	}
}

func (s *jsonScanner) byte() (byte, error) {
	c, err := s.r.ReadByte()
	if err == nil {
		s.off++
	}
	return c, err
}

// value reads a value whose first byte, c, was read.
func (s *jsonScanner) value(c byte, depth int) error {
	switch {
	case depth > maxDepth:
		return errors.New("nested too deep")
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		return s.str()
	case c == 't', c == 'f', c == 'n':
		return s.literal(map[byte]string{'t': "true", 'f': "false", 'n': "null"}[c][1:])
	case c == '-' || c >= '0' && c <= '9':
		return s.number(c)
	}
	return fmt.Errorf("unexpected %q", c)
}

func (s *jsonScanner) object(depth int) error {
	c, err := s.next()
	if err != nil || c == '}' {
		return err
	}
	for {
		if c != '"' {
			return fmt.Errorf("unexpected %q where a key was due", c)
		}
		if err := s.str(); err != nil {
			return err
		}
		if c, err = s.next(); err != nil || c != ':' {
			return cmpErr(err, "a colon", c)
		}
		if c, err = s.next(); err != nil {
			return err
		}
		if err := s.value(c, depth); err != nil {
			return err
		}
		if c, err = s.next(); err != nil || c == '}' {
			return err
		}
		if c != ',' {
			return cmpErr(nil, "a comma or }", c)
		}
		if c, err = s.next(); err != nil {
			return err
		}
	}
}

func (s *jsonScanner) array(depth int) error {
	c, err := s.next()
	if err != nil || c == ']' {
		return err
	}
	for {
		if err := s.value(c, depth); err != nil {
			return err
		}
		if c, err = s.next(); err != nil || c == ']' {
			return err
		}
		if c != ',' {
			return cmpErr(nil, "a comma or ]", c)
		}
		if c, err = s.next(); err != nil {
			return err
		}
	}
}

func (s *jsonScanner) str() error {
	for {
		// The plain run of a string is skipped a buffer at a time: a map's
		// mappings string is most of its bytes.
		if s.r.Buffered() == 0 {
			if _, err := s.r.Peek(1); err != nil {
				return err
			}
		}
		buf, _ := s.r.Peek(s.r.Buffered())
		n := 0
		for n < len(buf) && buf[n] != '"' && buf[n] != '\\' && buf[n] >= 0x20 {
			n++
		}
		_, _ = s.r.Discard(n)
		s.off += int64(n)
		if n == len(buf) {
			continue
		}
		c, err := s.byte()
		switch {
		case err != nil:
			return err
		case c == '"':
			return nil
		case c < 0x20:
			return errors.New("a control character in a string")
		case c == '\\':
			if c, err = s.byte(); err != nil {
				return err
			}
			switch c {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					if h, err := s.byte(); err != nil || !isHex(h) {
						return cmpErr(err, "a hex digit", h)
					}
				}
			default:
				return fmt.Errorf("the escape \\%c", c)
			}
		}
	}
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (s *jsonScanner) literal(rest string) error {
	for i := range len(rest) {
		if c, err := s.byte(); err != nil || c != rest[i] {
			return cmpErr(err, "a literal", c)
		}
	}
	return nil
}

// number reads a number whose first byte, c, was read, and leaves the byte
// after it unread.
func (s *jsonScanner) number(c byte) error {
	digits := func() (int, error) {
		n := 0
		for {
			c, err := s.r.ReadByte()
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			if c < '0' || c > '9' {
				return n, s.r.UnreadByte()
			}
			s.off++
			n++
		}
	}
	if c == '-' {
		var err error
		if c, err = s.byte(); err != nil || c < '0' || c > '9' {
			return cmpErr(err, "a digit", c)
		}
	}
	if c != '0' {
		if _, err := digits(); err != nil {
			return err
		}
	}
	for _, part := range []string{".", "eE"} {
		c, err := s.r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !containsByte(part, c) {
			if err := s.r.UnreadByte(); err != nil {
				return err
			}
			continue
		}
		s.off++
		if part == "eE" {
			if c, err = s.r.ReadByte(); err == nil && (c == '+' || c == '-') {
				s.off++
			} else if err == nil {
				_ = s.r.UnreadByte()
			}
		}
		if n, err := digits(); err != nil || n == 0 {
			return cmpErr(err, "a digit", 0)
		}
	}
	return nil
}

func containsByte(s string, c byte) bool {
	for i := range len(s) {
		if s[i] == c {
			return true
		}
	}
	return false
}

func cmpErr(err error, want string, got byte) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%q where %s was due", got, want)
}
