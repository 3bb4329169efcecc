module mxcheck.local/sisimai-dump

go 1.22

require libsisimai.org/sisimai/v5 v5.0.0

// Point this at a checkout of go-sisimai (see main.go).
replace libsisimai.org/sisimai/v5 => ../../../go-sisimai
