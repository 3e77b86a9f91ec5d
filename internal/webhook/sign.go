package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	HeaderEvent     = "X-Commentd-Event"     // the event type, as in the body
	HeaderDelivery  = "X-Commentd-Delivery"  // the event id, as in the body
	HeaderTimestamp = "X-Commentd-Timestamp" // unix seconds when this attempt was sent
	HeaderSignature = "X-Commentd-Signature" // sha256=HEX: HMAC-SHA256 of "TIMESTAMP.BODY" with the secret
)

// ErrSignature means a delivery's signature or timestamp does not check out.
var ErrSignature = errors.New("webhook: bad signature")

// Sign returns the signature header of body sent at timestamp (unix seconds):
// "sha256=" and the hex HMAC-SHA256 of timestamp, ".", body. Signing the
// timestamp lets a receiver refuse a replayed delivery.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a received delivery: its signature over its timestamp and
// body, and a timestamp within tolerance of now. Error: ErrSignature.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrSignature
	}
	got := strings.TrimSpace(h.Get(HeaderSignature))
	if !hmac.Equal([]byte(got), []byte(Sign(secret, ts, body))) {
		return ErrSignature
	}
	return nil
}
