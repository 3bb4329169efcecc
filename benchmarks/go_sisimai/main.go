// sisimai-dump: go-sisimai's decoding of a directory or mbox, printed as JSON, for
// benchmarks/throughput.py --go-sisimai. It does what `perl -MSisimai -e 'print Sisimai->dump(DIR)'`
// does for the Perl reference: read every message, decode it, print the results as one JSON array.
//
// No go-sisimai is packaged for Debian. Build this inside a checkout of
// https://github.com/sisimai/go-sisimai (Go 1.22 or newer; Debian bookworm-backports has golang-1.23),
// whose module it then belongs to:
//
//	mkdir -p /path/to/go-sisimai/cmd/sisimai-dump
//	cp benchmarks/go_sisimai/main.go /path/to/go-sisimai/cmd/sisimai-dump/
//	cd /path/to/go-sisimai && go build -o sisimai-dump ./cmd/sisimai-dump
package main

import (
	"fmt"
	"os"

	"libsisimai.org/sisimai/v5"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sisimai-dump DIR|MBOX")
		os.Exit(2)
	}
	json, failed := sisimai.Dump(os.Args[1], nil) // the library's default decoding arguments
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "sisimai-dump: %d messages not decoded\n", len(failed))
	}
	if json == nil {
		fmt.Print("[]")
		return
	}
	fmt.Print(*json)
}
