package app

import "github.com/keeper-go/keeper/internal/version"

func versionString() string { return version.Version }
