//go:build race

package native

// raceEnabled: under the race detector the restricted child code would
// call into the race runtime (ThreadSanitizer) after a raw fork, whose
// internal locks may be held by threads that do not exist in the child.
// fork and forkserver are therefore refused (tests skip them); spawn
// children are whole processes and work.
const raceEnabled = true
