// Command patchferry — code map:
//
//	main.go                process wiring: signals, streams, terminal detection
//	app.go                 app (streams, env, clock), root command, exit codes
//	                       (0 ok, 1 refused/failed, 2 usage), error reporting
//	messages.go            every message staff read, in English and Japanese;
//	                       hints that say what to do next about an error
//	messages_mirror.go     … of the mirror commands, and the hints of refused
//	                       imports
//	messages_weekly.go     … of the weekly job (fetch, run, export)
//	messages_errors.go     … of errors users cause, with what to do:
//	                       userError (an error of this package with its
//	                       message), describe (any error in the user's
//	                       language: typed errors of verify, media,
//	                       fetcher; pflag's and cobra's), errorHint,
//	                       flagError and groupArgs (an unknown
//	                       subcommand wins over flags)
//	messages_ledger.go     … of the ledger's results and reasons, status
//	messages_help.go       … of --help: command descriptions, flag usages
//	messages_usage.go      … of the usage errors of the commands' own checks
//	                       (flags that exclude or need each other, a busy
//	                       --listen port); cause: an error beneath one
//	help.go                --help in the user's language: the language
//	                       read from the command line before the commands
//	                       are built, cobra's usage template and its help
//	                       and completion commands translated
//	lang*.go               the OS locale (POSIX env, Windows UI language)
//	password.go            key password: env, --password-file, terminal
//	                       prompt; reading key files (a key made with
//	                       --no-password opens without a source, noted)
//	progress.go            progress bars on stderr (terminals only)
//	paths.go               small path helpers
//	cmd_keys.go            keys generate (an empty password only with
//	                       --no-password)
//	cmd_bundle*.go         bundle create, approve, verify, inspect
//	cmd_fetch.go           fetch (one line per source; the log under
//	                       cache_dir/logs/, on stderr with --verbose), config
//	                       (show: where each value comes from)
//	cmd_export.go          export, add (--released: the files' release date)
//	cmd_run.go             run: the weekly fetch + export with a log; never
//	                       a bundle with nothing to carry, to a missing media
//	                       folder, or when every source failed
//	cmd_demo.go            demo: the whole cycle against a fake upstream
//	cmd_mirror.go          the mirror group; --data; --syslog (new ledger
//	                       rows copied to the system log); mirror(): the
//	                       running server's admin client, else the store
//	                       opened here (both a mirror/service.Service)
//	cmd_mirror_init.go     mirror init (service.Create)
//	cmd_mirror_import.go   mirror import
//	cmd_mirror_status.go   mirror status
//	cmd_mirror_ledger.go   mirror ledger (--csv, --verify, --code: ledger
//	                       codes of the paper ledger checked)
//	cmd_mirror_trust.go    mirror trust: show or change; key and vendor trust
//	                       files are read here and sent as data
//	cmd_mirror_maint.go    mirror scrub, mirror gc
//	cmd_mirror_serve.go    mirror serve: HTTP for terminals, and the admin
//	                       socket through which the other mirror commands
//	                       reach the store it owns
//	cmd_mirror_service.go  mirror service install/uninstall
//	service_*.go           Windows service / systemd unit
//
// The mirror commands are thin: flags → one service call → the typed
// result rendered in the user's language. They never open a database
// transaction (cmd/layering_test.go refuses an import of bbolt here), and
// print the same output, JSON and exit codes with or without a running
// `mirror serve`.
package main
