// Command patchferry — code map:
//
//	main.go               process wiring: signals, streams, terminal detection
//	app.go                app (streams, env, clock), root command, exit codes
//	                      (0 ok, 1 refused/failed, 2 usage), error reporting
//	messages.go           every message staff read, in English and Japanese;
//	                      hints that say what to do next about an error
//	lang*.go              the OS locale (POSIX env, Windows UI language)
//	password.go           key password: env, --password-file, terminal prompt
//	progress.go           progress bars on stderr (terminals only)
//	cmd_keys.go           keys generate
//	cmd_bundle*.go        bundle create, approve, verify, inspect
package main
