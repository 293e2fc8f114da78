package rest

import "testing"

func FuzzParseErrorBody(f *testing.F) {
	f.Add([]byte(`{"error":"key","key_id":9,"message":"m"}`))
	f.Add([]byte(`{"error":"throttled","message":"try in 2 minutes"}`))
	f.Add([]byte(`{"key_id":"x","extra":[1,2]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e := parseErrorBody("x", 400, body)
		_ = e.Error()
		_ = throttleWait(e.Message)
	})
}

func FuzzRedactJSON(f *testing.F) {
	f.Add([]byte(`{"session_token":"abc","nested":[{"encryptedData":"x"}]}`))
	f.Add([]byte(`[1,"a",null]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = RedactJSON(body)
	})
}
