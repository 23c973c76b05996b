package claims

import (
	"context"
	"fmt"
	"strings"

	"github.com/mpbench/mpbench/bench"
)

// claim is one entry of the guide (docs/claims-source.md): what it says, how it is
// measured, how to run it, and how its verdict is decided.
type claim struct {
	id    string
	claim string // the claim in one sentence
	// quotes are the guide's words the claim rests on (verbatim, with the
	// line of the guide; docs/claims-source.md lists the same).
	quotes []quote
	// rule is how the verdict is decided, printed beside it (the rule*
	// variables of verdicts.go, next to the code that applies them).
	rule       string
	experiment string // what is measured
	// cells are the matrix cells the claim reuses (measured by
	// harness.Run, shared between claims); nil when none.
	cells func(nproc int) []bench.Cell
	// run runs the claim's dedicated experiment (claims.py); nil when none.
	run     func(ctx context.Context, r *runner) error
	verdict func(d *claimData) verdict
	// matrix is the `mpbench run` selection of the matrix cells the claim
	// reuses ("" when it has none or they are not selectable by flags);
	// "{cores}" is replaced by the cores value recorded.
	matrix string
	// older is the experiment of data recorded before the experiment
	// changed (olderData reports whether a claim's data is such), so that
	// a CLAIMS.md always states the experiment that produced its numbers;
	// "" when the experiment never changed.
	older     string
	olderData func(d *claimData) bool
}

// quote is a passage of the guide: its line in the guide's text
// (shared/seed/000_606ccd5e86365205.txt), the words verbatim, and an
// English rendering ("" when the guide's words are English).
type quote struct {
	line     int
	text, en string
}

// experimentOf is the experiment text of the claim's recorded data.
func (c *claim) experimentOf(d *claimData) string {
	if c.older != "" && d != nil && c.olderData(d) {
		return c.older
	}
	return c.experiment
}

var catalog = []claim{
	{
		id: "C1",
		quotes: []quote{
			{68, "spawn: process생성 속도는 fork보다 살짝 느리다.", "spawn: creating a process is slightly slower than with fork."},
			{228, "Starting a process using this method is rather slow compared to using fork or forkserver.", ""},
			{65, "forkserver라는 세번 째 방법은 minor한 방법이므로, 여기서는 spawn과 fork만 알아본다.", "the third method, forkserver, is a minor one, so only spawn and fork are covered here."},
		},
		rule:       ruleC1,
		claim:      "spawn starts a process more slowly than fork (\"slightly\", line 68) and than fork or forkserver (\"rather slow\", line 228).",
		experiment: "Matrix cells Startup/impl=cpython/method=M/chan=pipe/rss=0: time from `Process.start()` to the first message received by the parent, for each start method — forkserver as a program without `set_forkserver_preload` meets it before CPython 3.13.8 / 3.14.1 (preload=none: the server preloads nothing, each child imports the main module's imports itself), and beside it with the main module's imports preloaded (`set_forkserver_preload`, the matrix's default cell); {runs} program runs × 3 starts per cell (no warm-up start), interleaved. C14 reads the same cells.",
		cells: func(n int) []bench.Cell {
			return append(startupCells(n, []int64{0}, bench.Methods), programCell(n, "cpython", "forkserver", bench.MainStub, bench.PreloadNone))
		},
		verdict:   verdictC1,
		matrix:    "--impl cpython --workload startup --chan pipe --rss 0 --cores {cores}",
		older:     "Matrix cells Startup/impl=cpython/method=M/chan=pipe/rss=0: time from `Process.start()` to the first message received by the parent, for each start method; {runs} program runs × 3 starts per method (no warm-up start), interleaved.",
		olderData: func(d *claimData) bool { return len(d.find("preload", bench.PreloadNone)) == 0 },
	},
	{
		id: "C2",
		quotes: []quote{
			{71, "fork: child process는 parent의 모든 자원을 매우 효과적으로 승계받는다.", "fork: the child process inherits all of the parent's resources very efficiently."},
		},
		rule:       ruleC2,
		claim:      "A fork child inherits all of the parent's resources \"very efficiently\" — how does fork's cost grow with the parent's memory, and do spawn and forkserver stay flat?",
		experiment: "Matrix cells Startup/impl=cpython/method=M/chan=pipe/rss=R for R = 0 and 1 GiB of touched parent memory, every start method; {runs} program runs each, interleaved.",
		cells: func(n int) []bench.Cell {
			return startupCells(n, []int64{0, 1 << 30}, bench.Methods)
		},
		verdict: verdictC2,
		matrix:  "--impl cpython --workload startup --chan pipe --rss 0,1GiB --cores {cores}",
	},
	{
		id: "C3",
		quotes: []quote{
			{117, "아래의 코드의 시간은 얼마나 걸릴까? 정답은 3.x초이다", "How long does the code below take? The answer is 3.x seconds"},
			{119, "왜냐하면 Pool의 크기가 2밖에 되지 않는데, task는 5개이기 때문이다.", "because the Pool has a size of only 2 while there are 5 tasks."},
		},
		rule:       ruleC3,
		claim:      "`Pool(2).map(f, [1..5])` where f sleeps 1 s takes about 3 s: the tasks run in ceil(5/2) = 3 waves.",
		experiment: "claims.py: the guide's example with the sleep scaled down to 100 ms, every start method, once both workers are up; the same map of a task that does not sleep is timed right before in the same pool and subtracted (its time is reported). Competing answers: 3 waves (3.0 task times), perfect packing (2.5), serial (5.0); chunking: the default chunksize (Pool computes 1 here), chunksize=1 explicit, chunksize=5 (one chunk: serial, a control that must land on 5.0). {runs} program runs, methods and variants in shuffled order.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C3", r.o.Python, r.o.Runs, 1) },
		verdict:    verdictC3,
	},
	{
		id: "C4",
		quotes: []quote{
			{46, "이는 공유할 데이터가 커지면 속도가 매우 느려지는 단점이 존재한다.", "this has the drawback that it becomes very slow as the data to share grows."},
			{48, "그대신\u00a0python에서 제공하는 sharedctypes를 사용하거나, multiprocessing.Value 나 Array를 사용하는 방법이 존재한다.", "Instead, one can use the sharedctypes Python provides, or multiprocessing.Value or Array."},
			{57, "또는 각 process를 생성할 때, args로 공유할 데이터를 전달하는 방식도 존재한다. (이 방법이 가장 손쉬운 방법. 대신 공유할 메모리가 크면 문제가 생김)", "Or the data to share can be passed as args when each process is created (the easiest way; but a problem when the memory to share is large)."},
		},
		rule:       ruleC4,
		claim:      "Sharing data by pickling (as Process args, through a Queue) gets very slow as the data grows; sharedctypes / Value / Array / shared_memory avoid that cost.",
		experiment: "claims.py: make N bytes (1 KiB … 64 MiB, ×16 steps) available to a child and get its acknowledgement: through a Queue (pickled), as Process args (new process per operation: spawn pickles, fork inherits), or copied once into a sharedctypes.RawArray, a locked multiprocessing.Array or a shared_memory block that the child already maps, sending only the size (Value: one double). {runs} program runs of one sample (about 10 ms of operations) per size and mechanism, mechanisms in a new shuffled order per run.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C4", r.o.Python, r.o.Runs, 1) },
		verdict:    verdictC4,
	},
	{
		id: "C5",
		quotes: []quote{
			{210, "multiprocessing.Queue is actually a very complex class, that spawns multiple threads used to serialize, send and receive objects, and they can cause aforementioned problems too. If you find yourself in such situation try using a multiprocessing.queues.SimpleQueue, that doesn’t use any additional threads.", ""},
		},
		rule:       ruleC5,
		claim:      "Queue is a complex class with background (feeder) threads, SimpleQueue uses no extra threads — what does each cost per message and in latency?",
		experiment: "claims.py counts the OS threads (/proc/self/task) of a parent and a fork child before and after using a Queue / SimpleQueue; matrix cells Pingpong and Stream of 64 B over chan=queue and chan=simplequeue (fork) give latency and CPU per message ({runs} program runs each).",
		cells: func(n int) []bench.Cell {
			var cells []bench.Cell
			for _, w := range []string{bench.Pingpong, bench.Stream} {
				for _, ch := range []string{"queue", "simplequeue"} {
					cells = append(cells, bench.Cell{Workload: w, Impl: "cpython", Method: "fork", Chan: ch, Size: 64, Cores: n})
				}
			}
			return cells
		},
		run:     func(ctx context.Context, r *runner) error { return r.script(ctx, "C5", r.o.Python, 1, 1) },
		verdict: verdictC5,
		matrix:  "--impl cpython --workload pingpong,stream --method fork --chan queue,simplequeue --size 64B --cores {cores}",
	},
	{
		id: "C6",
		quotes: []quote{
			{90, "Pipe: 양방향 queue라고 이해할 수 있다.", "Pipe: can be understood as a two-way queue."},
		},
		rule:       ruleC6,
		claim:      "Pipe is a two-way queue (and, our question beside it: how do Pipe and Queue compare in latency and throughput?).",
		experiment: "claims.py checks that both ends of Pipe() send and receive (every method); matrix cells Pingpong (64 B) and Stream (64 B, 1 MiB) over chan=pipe vs chan=queue (fork), {runs} program runs each.",
		cells: func(n int) []bench.Cell {
			var cells []bench.Cell
			for _, ch := range []string{"pipe", "queue"} {
				cells = append(cells, bench.Cell{Workload: bench.Pingpong, Impl: "cpython", Method: "fork", Chan: ch, Size: 64, Cores: n})
				for _, sz := range []int64{64, 1 << 20} {
					cells = append(cells, bench.Cell{Workload: bench.Stream, Impl: "cpython", Method: "fork", Chan: ch, Size: sz, Cores: n})
				}
			}
			return cells
		},
		run:     func(ctx context.Context, r *runner) error { return r.script(ctx, "C6", r.o.Python, 1, 1) },
		verdict: verdictC6,
		matrix:  "--impl cpython --workload pingpong,stream --method fork --chan pipe,queue --size 64B,1MiB --cores {cores}",
	},
	{
		id: "C7",
		quotes: []quote{
			{210, "If there’s any thread that holds a lock or imports a module, and fork is called, it’s very likely that the subprocess will be in a corrupted state and will deadlock or fail in a different way.", ""},
		},
		rule:       ruleC7,
		claim:      "Forking a multi-threaded process is unsafe: a thread holding a lock at fork time leaves the child deadlocked.",
		experiment: "claims.py, per start method: (held) a parent thread holds a module-level lock while the main thread starts children that take it — the guide's demonstration; (real) a background thread takes and releases a lock in a loop — a plain module lock held around a little work, and logging's handler lock by logging records — while the parent starts 30 children (fork; 10 for the controls); (nolock) a single-threaded parent (control). Each child reports that it reached the lock, then gets 1 s to finish; one still running is deadlocked and killed. Deadlock rates with their 95% Wilson interval; the DeprecationWarning Python ≥ 3.12 emits at fork with threads is recorded.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C7", r.o.Python, 1, 1) },
		verdict:    verdictC7,
	},
	{
		id: "C8",
		quotes: []quote{
			{102, "또한 daemon으로 생성된 child process는 스스로 child process(증손자)를 가질 수 없다.", "Also, a child process created as a daemon cannot have child processes (great-grandchildren) of its own."},
		},
		rule:       ruleC8,
		claim:      "A daemonic child may not create children of its own.",
		experiment: "claims.py: a daemonic child (and a non-daemonic control) starts a grandchild, per start method; the exception is recorded.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C8", r.o.Python, 1, 1) },
		verdict:    verdictC8,
	},
	{
		id: "C9",
		quotes: []quote{
			{259, "기본 multiprocessing을 사용하면, lambda function을 pickling할 수 없다.", "With the default multiprocessing, a lambda function cannot be pickled."},
		},
		rule:       ruleC9,
		claim:      "The default multiprocessing cannot pickle a lambda: spawn and forkserver fail, fork does not need to pickle the target.",
		experiment: "claims.py: `Process(target=lambda: …).start()` per start method, and `Pool.map(lambda x: …, …)` per start method (a map without a result after 3 s counts as hung), for the stdlib multiprocessing and — under Debian's /usr/bin/python3 — the drop-in libraries billiard and multiprocess (dill).",
		run: func(ctx context.Context, r *runner) error {
			if err := r.script(ctx, "C9", r.o.Python, 1, 1); err != nil {
				return err
			}
			if r.o.LibPython == "" {
				reason := "no interpreter for the libraries"
				if r.o.LibErr != nil {
					reason = r.o.LibErr.Error()
				}
				return r.skip("Claim/id=C9/lib=billiard,multiprocess", reason)
			}
			return r.script(ctx, "C9", r.o.LibPython, 1, 1, "--libs", "billiard,multiprocess")
		},
		verdict: verdictC9,
	},
	{
		id: "C10",
		quotes: []quote{
			{175, "RuntimeError: context has already been set", ""},
			{182, "1)\u00a0ctx = mp.get_context(\"spawn\") 을 사용하거나,", "1) use ctx = mp.get_context(\"spawn\"), or"},
			{82, "이런 경우에는 mp.get_context()를 이용할 수 있지만, 서로 다른 context의 프로세스 끼리는 서로 호환이 되지 않는다.", "In that case mp.get_context() can be used, but processes of different contexts are not compatible with each other."},
		},
		rule:       ruleC10,
		claim:      "`set_start_method` twice raises \"context has already been set\"; `get_context()` avoids it; processes of different contexts do not interoperate.",
		experiment: "claims.py, in a fresh interpreter: set_start_method('spawn') then ('fork'); get_context('fork') with a child; force=True; a fork-context Queue handed to a spawn child and a spawn-context Queue handed to a fork child.",
		run:        func(ctx context.Context, r *runner) error { return r.script(ctx, "C10", r.o.Python, 1, 1) },
		verdict:    verdictC10,
	},
	{
		id: "C11",
		quotes: []quote{
			{155, "Queue를 통해 tensor를 다른 process로 보낼 경우, 이 데이터들은 전부 shared memory로 옮겨지고, 그에 대한 handle을 서로 공유하게 된다.", "When tensors are sent to another process through a Queue, the data is all moved to shared memory and only a handle to it is shared."},
		},
		rule:       ruleC11,
		claim:      "With torch.multiprocessing, tensors put on a Queue move to shared memory and only a handle travels.",
		experiment: "claims.py under the torch interpreter: a torch.multiprocessing Queue (fork) streams 8 (4 at 16 MiB) messages, each a fresh float32 tensor with its own storage not yet in shared memory (checked: storages = messages, fresh = 1), vs the same bytes pickled, at 64 KiB and 16 MiB: time per message until the receiver acknowledged the last. {runs} program runs × 1 sample, sizes and payloads in shuffled order.",
		run: func(ctx context.Context, r *runner) error {
			if r.o.TorchPython == "" {
				reason := "no interpreter that imports torch"
				if r.o.TorchErr != nil {
					reason = r.o.TorchErr.Error()
				}
				return r.skip("Claim/id=C11", reason)
			}
			return r.script(ctx, "C11", r.o.TorchPython, r.o.Runs, 1)
		},
		verdict: verdictC11,
	},
	{
		id: "C12",
		quotes: []quote{
			{165, "CUDA는 start method로 오직 spawn또는 forkserver만 제공한다.", "CUDA offers only spawn or forkserver as start methods."},
		},
		rule:       ruleC12,
		claim:      "CUDA allows only the spawn or forkserver start methods.",
		experiment: "claims.py under the torch interpreter: without torch, NVIDIA devices or CUDA, a probe only. With CUDA: a fork child uses CUDA while the parent has only imported torch (no CUDA call at all, not even is_available()); again after the parent called torch.cuda.is_available(); spawn and forkserver children use CUDA; then the parent initialises CUDA and a fork child uses it. Then a torch.multiprocessing Queue (spawn) carries fresh CUDA vs fresh CPU tensors of 1 MiB and 64 MiB, one at a time (median of 10 per program run). {runs} program runs.",
		run: func(ctx context.Context, r *runner) error {
			py := r.o.Python
			if r.o.TorchPython != "" {
				py = r.o.TorchPython
			}
			if err := r.script(ctx, "C12", py, 1, 1); err != nil {
				return err
			}
			// Without CUDA the probe is all there is: once is enough.
			for _, l := range r.last {
				if strings.HasPrefix(l, namePrefix+"C12/check=cuda ") && strings.Contains(l, " 1 cuda ") {
					return r.scriptRuns(ctx, "C12", py, 2, r.o.Runs, 1)
				}
			}
			return nil
		},
		verdict: verdictC12,
	},
	{
		id: "C13",
		quotes: []quote{
			{245, "A good rule of thumb is one to two node processes per core, perhaps more for machines with a good ram clock/cpu clock ratio, or for node processes heavy on I/O and light on CPU work", ""},
			{245, "You can actually decrease performance by spawning too many workers for your machine/scenario.", ""},
		},
		rule:       ruleC13,
		claim:      "Rule of thumb: one to two worker processes per core; too many workers decrease performance.",
		experiment: "claims.py: a fork Pool with 0.5, 1, 2 and 4 workers per core maps 128 CPU-bound tasks (a busy loop of about 2 ms: the driver's calibration run sets its loop count once per `mpbench claims` invocation, recorded as cpu-task-spin-cpython in claims.bench, and every program run does that work; claims.bench files without that line calibrated it once per program run) and 32 I/O-bound tasks (20 ms sleep); makespan of the map once every worker is up; {runs} program runs, worker counts in shuffled order. (The matrix's pool cells answer a different question: how the pool scales with its task count.)",
		run:        runC13,
		verdict:    verdictC13,
	},
	{
		id: "C14",
		quotes: []quote{
			{71, "Unix에서 multiprocess사용시 기본 옵션이다.", "It is the default option when using multiprocessing on Unix."},
		},
		rule:  ruleC14,
		claim: "fork is the default start method on Unix (and, our question beside it: Python 3.14 switched Linux to forkserver — what does that cost in start-up?).",
		experiment: "claims.py under every CPython 3.8–3.13 found in ~/.pyenv/versions (a missing one is skipped with the reason): multiprocessing.get_start_method() and whether starting a fork child while another thread runs emits a DeprecationWarning (one program run each). " +
			"The start-up (start() to the child's first message) of the default interpreter from matrix cells, 3 starts per program run, interleaved: fork, forkserver preloading nothing (preload=none: what a program that does not call `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1, whose fork server never loads `__main__`) and forkserver preloading the main module's imports (`set_forkserver_preload`), at main=stub (C1's cells) and main=stdlib (a main module importing " + strings.Join(bench.MainImports[bench.MainStdlib], ", ") + "). " +
			"The same three per CPython version (impl=cpython3.N, main=stdlib) are not measured again here: they come from the variants profile's run given with --variants DIR (`mpbench run " + variantsSelection + "`).",
		cells: c14Cells,
		run: func(ctx context.Context, r *runner) error {
			ran := 0
			for _, v := range r.o.Versions {
				if v.Path == "" {
					reason := "not installed"
					if v.Err != nil {
						reason = v.Err.Error()
					}
					if err := r.skip("Claim/id=C14/python="+v.Minor, reason); err != nil {
						return err
					}
					continue
				}
				ran++
				if err := r.script(ctx, "C14", v.Path, 1, 1); err != nil {
					return err
				}
			}
			if ran == 0 {
				// No version list: probe the interpreter that runs the claims.
				return r.script(ctx, "C14", r.o.Python, 1, 1)
			}
			return nil
		},
		verdict:   verdictC14,
		matrix:    "--impl cpython --workload startup --method fork,forkserver --main stub,stdlib --chan pipe --rss 0 --cores {cores}",
		older:     "claims.py under every CPython 3.8–3.13 found in ~/.pyenv/versions (a missing one is skipped with the reason): multiprocessing.get_start_method(); whether starting a fork child while another thread runs emits a DeprecationWarning; start-up (start() to the child's first message) of fork vs forkserver, {runs} program runs × 2 starts each (the forkserver's server is started before timing).",
		olderData: func(d *claimData) bool { return len(d.find("workload", bench.Startup)) == 0 },
	},
}

// c14Cells are C14's matrix cells: fork and forkserver with and without
// preload, for the default interpreter at main=stub (C1's cells) and
// main=stdlib. Every CPython version's cells are the variants profile's
// (variantsSelection), read by Render from the run given with --variants.
func c14Cells(n int) []bench.Cell {
	var cells []bench.Cell
	for _, main := range []string{bench.MainStub, bench.MainStdlib} {
		cells = append(cells, programCell(n, "cpython", "fork", main, bench.PreloadMain),
			programCell(n, "cpython", "forkserver", main, bench.PreloadNone), programCell(n, "cpython", "forkserver", main, bench.PreloadMain))
	}
	return cells
}

// variantsSelection is the `mpbench run` selection of the per-version
// start-up cells C14 reads from a variants run.
const variantsSelection = "--profile variants --workload startup --main stdlib --preload main,none --chan pipe --rss 0"

// programCell is the start-up cell (chan=pipe, rss=0) of a main weight and preload.
func programCell(cores int, impl, method, main, preload string) bench.Cell {
	return bench.Cell{Workload: bench.Startup, Impl: impl, Method: method, Chan: "pipe", Cores: cores}.WithProgram(main, preload)
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
			cells = append(cells, bench.Cell{Workload: bench.Startup, Impl: "cpython", Method: m, Chan: "pipe", RSS: r, Cores: cores})
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
