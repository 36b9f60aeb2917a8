package admin

// SocketName is the admin socket's name in the data directory.
const SocketName = "admin.sock"

// Request is one command for the owner.
type Request struct {
	Args []string `json:"args"` // command line, after "patchferry"
	Lang string   `json:"lang"` // the caller's message language
	JSON bool     `json:"json"` // the caller asked for --json
}

// Response is what the command printed and its exit code.
type Response struct {
	ExitCode int    `json:"exit_code"`
	Stdout   []byte `json:"stdout"`
	Stderr   []byte `json:"stderr"`
}

// Upload is one local file sent with a request, under a relative,
// slash-separated name.
type Upload struct {
	Name string
	Path string
}

// Limits of one request.
const (
	maxHeader   = 1 << 20
	maxResponse = 256 << 20
)
