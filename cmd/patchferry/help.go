package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
)

// preResolveLang picks the message language from the command line before
// the commands are built: cobra prints --help without running
// PersistentPreRunE, and the help texts are fixed when a command is made.
// It reads --lang as cobra will (the last one before "--"), then goes on
// exactly as resolveLang. A bad value gives English here; PersistentPreRunE
// resolves again from the parsed flag and reports it as a usage error.
func (a *app) preResolveLang(args []string) {
	a.langFlag = langArg(args)
	_ = a.resolveLang()
}

// langArg returns the value of the last --lang X or --lang=X in args.
func langArg(args []string) string {
	v := ""
	for i := 0; i < len(args); i++ {
		s := args[i]
		if s == "--" {
			break
		}
		if val, ok := strings.CutPrefix(s, "--lang="); ok {
			v = val
		} else if s == "--lang" && i+1 < len(args) {
			v = args[i+1]
			i++
		}
	}
	return v
}

// localizeHelp puts the help of root's tree in the user's language: the
// usage template, the -h flag of every command, and the commands cobra adds
// (help, completion), which it adds here rather than in Execute. Call it
// after root.SetOut: completion writes its script where out was then.
func (a *app) localizeHelp(root *cobra.Command) {
	root.SetUsageFunc(a.usage)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	name := root.Name()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Use, c.Short, c.Long = a.msg(helpUseHelp), a.msg(helpShortHelp), a.msg(helpLongHelp, name)
		case "completion":
			c.Short, c.Long = a.msg(helpShortCompletion), a.msg(helpLongCompletion, name)
			long := map[string]msgID{"bash": helpLongCompletionBash, "zsh": helpLongCompletionZsh,
				"fish": helpLongCompletionFish, "powershell": helpLongCompletionPowerShell}
			for _, sh := range c.Commands() {
				if id, ok := long[sh.Name()]; ok {
					sh.Short, sh.Long = a.msg(helpShortCompletionShell, sh.Name()), a.msg(id, name)
				}
				if f := sh.Flags().Lookup("no-descriptions"); f != nil {
					f.Usage = a.msg(helpFlagNoDescriptions)
				}
			}
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		if f := c.Flags().Lookup("help"); f != nil {
			f.Usage = a.msg(helpHelpFlag, c.Name())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// usage writes c's usage as cobra's default template does (cobra v1.10:
// defaultUsageFunc), with its words in the user's language. patchferry
// uses no command groups and no help topics, so they are left out.
func (a *app) usage(c *cobra.Command) error {
	var b strings.Builder
	b.WriteString(a.msg(helpUsage))
	if c.Runnable() {
		use := c.UseLine()
		if u, ok := strings.CutSuffix(use, " [flags]"); ok {
			use = u + " " + a.msg(helpFlagsArg)
		}
		b.WriteString("\n  " + use)
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n  %s %s", c.CommandPath(), a.msg(helpCommandArg))
	}
	if len(c.Aliases) > 0 {
		fmt.Fprintf(&b, "\n\n%s\n  %s", a.msg(helpAliases), c.NameAndAliases())
	}
	if c.HasExample() {
		fmt.Fprintf(&b, "\n\n%s\n%s", a.msg(helpExamples), c.Example)
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n\n" + a.msg(helpCommands))
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(&b, "\n\n%s\n%s", a.msg(helpFlags), a.flagUsages(c.LocalFlags().FlagUsages()))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(&b, "\n\n%s\n%s", a.msg(helpGlobalFlags), a.flagUsages(c.InheritedFlags().FlagUsages()))
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n\n" + a.msg(helpMore, c.CommandPath()))
	}
	b.WriteString("\n")
	_, err := io.WriteString(c.OutOrStderr(), b.String())
	return err
}

// flagUsages takes pflag's list of flags (FlagSet.FlagUsages) and puts the
// label of a default value, which pflag appends as " (default X)", in the
// user's language.
func (a *app) flagUsages(usages string) string {
	const def = " (default "
	lines := strings.Split(strings.TrimRightFunc(usages, unicode.IsSpace), "\n")
	for n, l := range lines {
		if i := strings.LastIndex(l, def); i >= 0 && strings.HasSuffix(l, ")") {
			lines[n] = l[:i] + a.msg(helpDefault, l[i+len(def):len(l)-1])
		}
	}
	return strings.Join(lines, "\n")
}
