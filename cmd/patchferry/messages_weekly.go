package main

// Messages of the weekly job: fetch, run, export (see messages.go).
const (
	_ msgID = iota + 2000 // the area's first ID; add messages below
)

var weeklyMessages = map[msgID]text{ // {en, ja}
}
