package main

// Messages of --help: command descriptions and flag usages (see messages.go).
const (
	_ msgID = iota + 5000 // the area's first ID; add messages below
)

var helpMessages = map[msgID]text{ // {en, ja}
}
