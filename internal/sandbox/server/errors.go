package server

import "github.com/keeper-go/keeper/internal/sandbox/envelope"

func envelopeBody(code, msg, info string) envelope.ErrorBody {
	return envelope.ErrorBody{Error: code, Message: msg, AdditionalInfo: info}
}
