package report

import "math"

// FormatPyFloat formats f as Python's str(float) does: shortest round-trip
// digits with a trailing ".0" for integral values ("45.0", "3.75"),
// exponent notation from 1e16 on. Commander builds price texts with it.
func FormatPyFloat(f float64) string { return pyRepr(f) }

// PyFloat is a float64 that encodes in JSON as Python's json.dumps writes a
// float: 10.0, not Go's 10. NaN and infinities, which are not JSON, become
// null.
type PyFloat float64

// MarshalJSON implements json.Marshaler.
func (f PyFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return []byte(pyRepr(v)), nil
}
