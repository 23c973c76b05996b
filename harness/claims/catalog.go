package claims

import (
	"context"
	"fmt"
	"strings"

	"github.com/mpbench/mpbench/bench"
)

// claim is one entry of shared/seed/CLAIMS.md: what it says, how it is
// measured, how to run it, and how its verdict is decided.
type claim struct {
	id         string
	claim      string // the claim in one sentence
	experiment string // what is measured
	run        func(ctx context.Context, r *runner) error
	verdict    func(d *claimData) verdict
	// matrix is the `mpbench run` selection of the matrix cells the claim
	// reuses ("" when it has none or they are not selectable by flags);
	// "{cores}" is replaced by the cores value recorded.
	matrix string
}

var catalog = []claim{
	{
		id:         "C1",
		claim:      "spawn starts a process somewhat slower than fork, and forkserver sits between (\"spawn is rather slow compared to fork or forkserver\").",
		experiment: "Matrix cells Startup/impl=cpython/method=M/chan=pipe/rss=0: time from `Process.start()` to the first message received by the parent, for each start method.",
		run: func(ctx context.Context, r *runner) error {
			return r.cells(ctx, "C1", r.o.CPython, startupCells(r.nproc(), []int64{0}, bench.Methods))
		},
		verdict: verdictC1,
		matrix:  "--impl cpython --workload startup --chan pipe --rss 0 --cores {cores}",
	},
	{
		id:         "C2",
		claim:      "A fork child inherits all of the parent's resources \"very efficiently\" — how does fork's cost grow with the parent's memory, and do spawn and forkserver stay flat?",
		experiment: "Matrix cells Startup/impl=cpython/method=M/chan=pipe/rss=R for R = 0, 256 MiB, 1 GiB of touched parent memory, every start method.",
		run: func(ctx context.Context, r *runner) error {
			return r.cells(ctx, "C2", r.o.CPython, startupCells(r.nproc(), bench.StartupRSS, bench.Methods))
		},
		verdict: verdictC2,
		matrix:  "--impl cpython --workload startup --chan pipe --rss 0,256MiB,1GiB --cores {cores}",
	},
	{
		id:         "C3",
		claim:      "`Pool(2).map(f, [1..5])` where f sleeps 1 s takes about 3 s: the tasks run in ceil(5/2) = 3 waves.",
		experiment: "claims.py: the guide's example with the sleep scaled down to 200 ms, for every start method; makespan of the map once both workers are up, in task times, plus the whole `with Pool(2)` block (start-up and terminate included, as `%%time` measures).",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C3", r.o.Python, 8) },
		verdict:    verdictC3,
	},
	{
		id:         "C4",
		claim:      "Sharing data by pickling (as Process args, through a Queue) gets very slow as the data grows; sharedctypes / Value / Array / shared_memory avoid that cost.",
		experiment: "claims.py: make N bytes (1 KiB … 256 MiB, ×4 steps) available to a child and get its acknowledgement: through a Queue (pickled), as Process args (new process per operation: spawn pickles, fork inherits), or copied once into a sharedctypes.RawArray, a locked multiprocessing.Array or a shared_memory block that the child already maps, sending only the size (Value: one double).",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C4", r.o.Python, 1) },
		verdict:    verdictC4,
	},
	{
		id:         "C5",
		claim:      "Queue is a complex class with background (feeder) threads, SimpleQueue uses no extra threads — what does each cost per message and in latency?",
		experiment: "claims.py counts the OS threads (/proc/self/task) of a parent and a fork child before and after using a Queue / SimpleQueue; matrix cells Pingpong and Stream of 64 B over chan=queue and chan=simplequeue (fork) give latency and CPU per message.",
		run: func(ctx context.Context, r *runner) error {
			if err := r.script(ctx, "C5", r.o.Python, 1); err != nil {
				return err
			}
			n := r.nproc()
			var cells []bench.Cell
			for _, w := range []string{"pingpong", "stream"} {
				for _, ch := range []string{"queue", "simplequeue"} {
					cells = append(cells, bench.Cell{Workload: w, Impl: "cpython", Method: "fork", Chan: ch, Size: 64, Cores: n})
				}
			}
			return r.cells(ctx, "C5", r.o.CPython, cells)
		},
		verdict: verdictC5,
		matrix:  "--impl cpython --workload pingpong,stream --method fork --chan queue,simplequeue --size 64B --cores {cores}",
	},
	{
		id:         "C6",
		claim:      "Pipe is a two-way queue — how do Pipe and Queue compare in latency and throughput?",
		experiment: "claims.py checks that both ends of Pipe() send and receive (every method); matrix cells Pingpong (64 B, 4 KiB, 64 KiB) and Stream (64 B, 64 KiB, 1 MiB) over chan=pipe vs chan=queue (fork).",
		run: func(ctx context.Context, r *runner) error {
			if err := r.script(ctx, "C6", r.o.Python, 1); err != nil {
				return err
			}
			n := r.nproc()
			var cells []bench.Cell
			for _, ch := range []string{"pipe", "queue"} {
				for _, sz := range bench.PingpongSizes {
					cells = append(cells, bench.Cell{Workload: "pingpong", Impl: "cpython", Method: "fork", Chan: ch, Size: sz, Cores: n})
				}
				for _, sz := range []int64{64, 64 << 10, 1 << 20} {
					cells = append(cells, bench.Cell{Workload: "stream", Impl: "cpython", Method: "fork", Chan: ch, Size: sz, Cores: n})
				}
			}
			return r.cells(ctx, "C6", r.o.CPython, cells)
		},
		verdict: verdictC6,
		matrix:  "--impl cpython --workload pingpong,stream --method fork --chan pipe,queue --size 64B,4KiB,64KiB,1MiB --cores {cores}",
	},
	{
		id:         "C7",
		claim:      "Forking a multi-threaded process is unsafe: a thread holding a lock at fork time leaves the child deadlocked.",
		experiment: "claims.py: a parent thread holds a module-level lock while the main thread starts a child that acquires it; the parent joins the child with a 2 s timeout (then kills it) and records a deadlock; 3 runs per start method; records whether Python warned (DeprecationWarning) about forking a multi-threaded process.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C7", r.o.Python, 3) },
		verdict:    verdictC7,
	},
	{
		id:         "C8",
		claim:      "A daemonic child may not create children of its own.",
		experiment: "claims.py: a daemonic child (and a non-daemonic control) starts a grandchild, per start method; the exception is recorded.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C8", r.o.Python, 1) },
		verdict:    verdictC8,
	},
	{
		id:         "C9",
		claim:      "The default multiprocessing cannot pickle a lambda: spawn and forkserver fail, fork does not need to pickle the target.",
		experiment: "claims.py: `Process(target=lambda: …).start()` per start method, and `Pool.map(lambda x: …, …)` per start method.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C9", r.o.Python, 1) },
		verdict:    verdictC9,
	},
	{
		id:         "C10",
		claim:      "`set_start_method` twice raises \"context has already been set\"; `get_context()` avoids it; processes of different contexts do not interoperate.",
		experiment: "claims.py, in a fresh interpreter: set_start_method('spawn') then ('fork'); get_context('fork') with a child; force=True; a fork-context Queue handed to a spawn child and a spawn-context Queue handed to a fork child.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C10", r.o.Python, 1) },
		verdict:    verdictC10,
	},
	{
		id:         "C11",
		claim:      "With torch.multiprocessing, tensors put on a Queue move to shared memory and only a handle travels.",
		experiment: "Matrix cells Stream/impl=torch/method=fork/chan=queue with payload=tensor vs pickled bytes, 64 KiB, 1 MiB, 16 MiB: time per message at the receiver.",
		run: func(ctx context.Context, r *runner) error {
			if r.o.Torch == nil {
				return r.skip("Claim/id=C11", "torch.multiprocessing is not configured")
			}
			if err := r.o.Torch.Available(); err != nil {
				return r.skip("Claim/id=C11", "torch is not usable here: "+err.Error())
			}
			var cells []bench.Cell
			for _, p := range []string{"tensor", "bytes"} {
				for _, sz := range []int64{64 << 10, 1 << 20, 16 << 20} {
					cells = append(cells, bench.Cell{Workload: "stream", Impl: "torch", Method: "fork", Chan: "queue", Payload: p, Size: sz, Cores: r.nproc()})
				}
			}
			return r.cells(ctx, "C11", r.o.Torch, cells)
		},
		verdict: verdictC11,
	},
	{
		id:         "C12",
		claim:      "CUDA allows only the spawn or forkserver start methods.",
		experiment: "claims.py probes for /dev/nvidia* device nodes and, with the torch interpreter, torch.cuda.is_available(); without a GPU the claim cannot be tested.",
		run: func(ctx context.Context, r *runner) error {
			py := r.o.Python
			if r.o.TorchPython != "" && r.o.Torch != nil && r.o.Torch.Available() == nil {
				py = r.o.TorchPython
			}
			return r.script(ctx, "C12", py, 1)
		},
		verdict: verdictC12,
	},
	{
		id:         "C13",
		claim:      "Rule of thumb: one to two worker processes per core; too many workers decrease performance.",
		experiment: "claims.py: a fork Pool with 0.5, 1, 2 and 4 workers per core maps 128 CPU-bound tasks (a busy loop calibrated once to 2 ms) and 32 I/O-bound tasks (20 ms sleep); makespan of the map once every worker is up; 8 rounds, worker counts in shuffled order per round. (The matrix's pool cells calibrate the loop per program run, which on a shared machine makes their tasks differ between worker counts; hence a dedicated experiment.)",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C13", r.o.Python, 8) },
		verdict:    verdictC13,
	},
	{
		id:         "C14",
		claim:      "fork is the default start method on Unix — true through Python 3.13; Python 3.14 switched Linux to forkserver: what does that switch cost in start-up?",
		experiment: "claims.py reports multiprocessing.get_start_method() of this interpreter; matrix cells Startup/impl=cpython/chan=pipe for fork vs forkserver at rss=0 and 1 GiB give the cost of the switch.",
		run: func(ctx context.Context, r *runner) error {
			if err := r.script(ctx, "C14", r.o.Python, 1); err != nil {
				return err
			}
			return r.cells(ctx, "C14", r.o.CPython, startupCells(r.nproc(), []int64{0, 1 << 30}, []string{"fork", "forkserver"}))
		},
		verdict: verdictC14,
		matrix:  "--impl cpython --workload startup --method fork,forkserver --chan pipe --rss 0,1GiB --cores {cores}",
	},
}

func lookup(id string) *claim {
	for i := range catalog {
		if catalog[i].id == id {
			return &catalog[i]
		}
	}
	return nil
}

func startupCells(cores int, rss []int64, methods []string) []bench.Cell {
	var cells []bench.Cell
	for _, r := range rss {
		for _, m := range methods {
			cells = append(cells, bench.Cell{Workload: "startup", Impl: "cpython", Method: m, Chan: "pipe", RSS: r, Cores: cores})
		}
	}
	return cells
}

// reproduce lists the commands that reproduce claim c; cores is the
// cores value of its recorded cells ("" when none).
func (c *claim) reproduce(cores string) []string {
	out := []string{fmt.Sprintf("mpbench claims --only %s --out DIR", c.id)}
	if c.matrix != "" && cores != "" {
		out = append(out, "mpbench run "+strings.ReplaceAll(c.matrix, "{cores}", cores)+" --out DIR")
	}
	return out
}
