// Package cmd holds the commands; each sub-directory is one binary.
//
//	patchferry/        the operator CLI: keys, bundle (create, approve,
//	                   verify, inspect); later fetch, export, run, mirror,
//	                   demo
//	patchferry-agent/  the terminal agent (later)
//
// Commands wire packages together and hold no logic; nothing imports cmd.
package cmd
