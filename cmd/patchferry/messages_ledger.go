package main

// Messages of the ledger's results and reasons, status (see messages.go).
const (
	_ msgID = iota + 4000 // the area's first ID; add messages below
)

var ledgerMessages = map[msgID]text{ // {en, ja}
}
