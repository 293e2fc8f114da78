package commands

import "github.com/keeper-go/keeper/internal/keeper/auth"

func deviceName() string { return auth.DeviceName() }
