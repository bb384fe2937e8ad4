// Package difftest is the differential compatibility suite: it runs the
// command scripts in testdata/ against Debian's redis-server 7.0 (the
// oracle) and against a Shoal server, over raw RESP, and compares the
// replies exactly (or as a multiset, approximately, or by shape, as a
// script's directives say). Where Valkey 9 deliberately differs from
// Redis 7.0, the script ignores the reply and EXCEPTIONS.md says why.
//
// Script syntax (one command per line, redis-cli quoting, see
// resp.SplitArgs):
//
//	# text                 a comment
//	# requires: cmd ...    skip the file unless Shoal has these commands
//	# conn NAME            send the following commands on connection NAME
//	# sort                 next reply: compare as a multiset (KEYS, SMEMBERS)
//	# sortpairs            next reply: a flat array of pairs, compared unordered
//	# ignore [reason]      next command: run it, do not compare (TIME)
//	# approx [tolerance]   next reply: numbers may differ by the tolerance
//	# shape [reason]       next reply: compare types and lengths, not values
//	# scan                 next command is a SCAN-family call with cursor 0:
//	                       iterate to the end, compare the set of elements
//	# capture NAME         next reply (a bulk string) is remembered per server;
//	                       an argument written ${NAME} is replaced by it
//	# expect "<RESP>" why  next reply: Valkey 9 deliberately differs from Redis
//	                       7.0 and answers <RESP> (e.g. "-ERR x\r\n"); Shoal is
//	                       compared with that instead of with Redis
//	# recv                 read one more reply on the connection (pub/sub
//	                       messages) and compare it
//
// Every script runs against a fresh redis-server process and a fresh Shoal
// server (which is stronger than a FLUSHALL between files: CONFIG SET,
// client names and subscriptions cannot leak either).
//
// Running:
//
//	go test ./internal/difftest/ -run TestDifferential -v     # summary per file
//	go test ./internal/difftest/ -run 'TestDifferential/scripts/keys_expire$'
//	SHOAL_DIFFTEST_TRACE=1 go test ./internal/difftest/ -run ... -v   # every step
//	go test ./internal/difftest/ -run TestScriptsDeterministic  # redis vs redis
//
// redis-server must be on PATH (Debian: apt-get install redis-server); the
// tests skip without it, or fail when CI=true.
package difftest
