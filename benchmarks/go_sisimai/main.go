// sisimai-dump: go-sisimai's decoding of a directory or mbox, printed as JSON, for
// benchmarks/throughput.py --go-sisimai. It does what `perl -MSisimai -e 'print Sisimai->dump(DIR)'`
// does for the Perl reference: read every message, decode it, print the results as one JSON array.
//
// No go-sisimai is packaged for Debian. Build this against a checkout of
// https://github.com/sisimai/go-sisimai (Go 1.22 or newer; Debian bookworm-backports has golang-1.23):
//
//	go mod edit -replace libsisimai.org/sisimai/v5=/path/to/go-sisimai
//	go build -o sisimai-dump .
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
	json, _ := sisimai.Dump(os.Args[1], nil) // the library's default decoding arguments
	if json == nil {
		fmt.Print("[]")
		return
	}
	fmt.Print(*json)
}
