package main

import "time"

// weeksBack is the start of a period of n calendar weeks (Monday 00:00 in
// loc) whose last week is the one holding the period's last instant before
// to. report --weeks and simulate --weeks share it, so the same N gives the
// same period, and the weekly table has no week cut at a time of day.
func weeksBack(to time.Time, n int, loc *time.Location) time.Time {
	last := to.Add(-time.Nanosecond).In(loc)
	monday := time.Date(last.Year(), last.Month(), last.Day()-(int(last.Weekday())+6)%7, 0, 0, 0, 0, loc)
	return monday.AddDate(0, 0, -7*(n-1))
}
