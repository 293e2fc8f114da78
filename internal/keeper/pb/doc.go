// Package pb holds this project's own .proto sources for Keeper's protobuf
// packages (Authentication, AccountSummary, Enterprise, BreachWatch, BI,
// Vault, Records) and the Go code generated from them, one Go package per
// proto package. Field names, numbers and types match Keeper's published
// schema so the bytes on the wire are what the real cloud expects. Run
// `make proto` to regenerate; see README.md for tool versions.
package pb
