package main

// Messages of errors users cause, in their language with the fix (see messages.go).
const (
	_ msgID = iota + 3000 // the area's first ID; add messages below
)

var errorMessages = map[msgID]text{ // {en, ja}
}
