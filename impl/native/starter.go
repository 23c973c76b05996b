package native

// starter is a start method: it starts a child that runs the workload's
// child body over a channel.
type starter interface {
	name() string
	start(p childParams, ch *channel) (proc, error)
	close() error
}

// proc is a started child.
type proc interface {
	// join waits for the child to exit and checks its exit status is 0.
	join() error
	// kill kills the child (error paths only).
	kill()
	// exited reports, without blocking or reaping, whether the child has
	// ended (its exit status is ready for join).
	exited() bool
	// pid is the child's process id.
	pid() int
}
