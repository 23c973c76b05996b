# Generates the synthetic testdata/raw.bench (fixed seed; numbers shaped like
# docs/machine-notes.md, not measured). Covers startup, pingpong, stream, pool for
# native and cpython (plus torch tensor payloads), skipped and failed cells,
# a claim line, two corrupt lines and a truncated last line.
# Run: python3 testdata/gen.py, then go test -update -run Golden.
import random
random.seed(7)
out=[]
hdr="""goos: linux
goarch: amd64
cpu: Intel(R) Xeon(R) CPU @ 2.20GHz
nproc: 2
kernel: 6.1.0-18-cloud-amd64
host: testhost
go: go1.26.8
mpbench-version: 5ff2785
profile: full
start: 2026-11-25T19:30:00Z
cpython-python: /usr/bin/python3
cpython-version: 3.11.7
cpus-cores-1: 0
cpus-cores-2: 0-1
Unit MB/s better=higher
Unit msgs/s better=higher
Unit tasks/s better=higher
Unit efficiency better=higher"""
out+=hdr.split("\n")
def fs(n):
    for s,m in (("GiB",1<<30),("MiB",1<<20),("KiB",1<<10)):
        if n and n%m==0: return "%d%s"%(n//m,s)
    return "0" if n==0 else "%dB"%n
def noise(v, rel=0.03):
    return v*(1+random.gauss(0,rel))
def N(base,n=10,outlier=False):
    xs=[noise(base) for _ in range(n)]
    if outlier: xs[4]=base*2.5
    return xs
impls=["native","cpython"]
methods=["spawn","fork","forkserver"]
start={"native":{"spawn":1.5e6,"fork":0.4e6,"forkserver":0.6e6},"cpython":{"spawn":95e6,"fork":3e6,"forkserver":23e6}}
fails=[]
# startup
for impl in impls:
  for m in methods:
    for ch in ["pipe","shm"]:
      for rss in [0,256<<20,1<<30]:
        for cores in [1,2]:
          name="BenchmarkStartup/impl=%s/method=%s/chan=%s/rss=%s/cores=%d"%(impl,m,ch,fs(rss),cores)
          base=start[impl][m]*(1.1 if ch=="shm" else 1)*(1.3 if cores==1 else 1)
          if m=="fork" and rss: base+=24e6*rss/(1<<30)
          n=3 if (impl=="native" and m=="spawn" and ch=="shm" and rss==0 and cores==1) else 10
          for v in N(base,n,outlier=(impl=="cpython" and m=="fork" and ch=="pipe" and rss==0 and cores==2)):
            out.append("%s 1 %d ns/op %d join-ns/op"%(name,v,noise(base*0.3)))
# pingpong
for impl in impls:
  for m in methods:
    for ch in ["pipe","shm"]:
      for size in [64,4096,65536]:
        for cores in [1,2]:
          name="BenchmarkPingpong/impl=%s/method=%s/chan=%s/size=%s/cores=%d"%(impl,m,ch,fs(size),cores)
          base=(9e3 if cores==1 else 95e3)*(1 if impl=="native" else 2.2)*(0.6 if ch=="shm" else 1)+size*0.05
          for v in N(base):
            out.append("%s %d %d ns/op %d p50-ns %d p99-ns %d user-ns/op %d sys-ns/op"%(name,int(1e8/base),v,v*0.95,v*1.8,v*0.3,v*0.5))
# torch: bytes and tensor payloads over a pipe
for pay in ["", "tensor"]:
  for size in [64,4096]:
    name="BenchmarkPingpong/impl=torch/method=fork/chan=pipe%s/size=%s/cores=2"%("/payload=tensor" if pay else "",fs(size))
    base=95e3*2.4*(1.5 if pay else 1)+size*0.05
    for v in N(base):
      out.append("%s %d %d ns/op %d p50-ns %d p99-ns %d user-ns/op %d sys-ns/op"%(name,int(1e8/base),v,v*0.95,v*1.8,v*0.3,v*0.5))
# stream
for impl in impls:
  for m in methods:
    for ch in ["pipe","shm"]:
      for size in [64,65536,1<<20]:
        for cores in [1,2]:
          name="BenchmarkStream/impl=%s/method=%s/chan=%s/size=%s/cores=%d"%(impl,m,ch,fs(size),cores)
          if impl=="cpython" and m=="spawn" and ch=="shm" and size==1<<20 and cores==1:
            fails.append("--- FAIL: %s: timeout after 30s"%name); continue
          bw=(3000 if ch=="pipe" else 9000)*(1 if impl=="native" else 0.5)*(0.8 if cores==1 else 1)
          per=size/bw*1e-6*1e9 + (2000 if impl=="native" else 9000)
          for v in N(per):
            mbs=size/(v*1e-9)/1e6
            out.append("%s %d %d ns/op %.1f MB/s %d msgs/s %d user-ns/op %d sys-ns/op"%(name,int(1e8/v)+1,v,mbs,1e9/v,v*0.4,v*0.6))
# pool
for impl in impls:
  for m in methods:
    for task,tasks in [("cpu",16),("sleep",5)]:
      for cores in [1,2]:
        for w in range(1,2*cores+1):
          name="BenchmarkPool/impl=%s/method=%s/chan=simplequeue/workers=%d/tasks=%d/task=%s/cores=%d"%(impl,m,w,tasks,task,cores)
          if task=="cpu":
            ideal=tasks*2e6/min(w,cores); over=(0.5e6 if impl=="native" else 3e6)*w
            ms=ideal+over
            eff=tasks*2e6/min(w,cores)/ms*(1.0)
          else:
            waves=-(-tasks//w); ms=waves*20e6+(0.5e6 if impl=="native" else 3e6)*w
            eff=waves*20e6/ms
          for v in N(ms):
            out.append("%s 1 %d ns/op %.1f tasks/s %.3f efficiency"%(name,v,tasks/(v*1e-9),eff*ms/v))
# skips
for w in ["Startup/impl=pypy/method=fork/chan=pipe/rss=0/cores=2","Pingpong/impl=pypy/method=fork/chan=pipe/size=64B/cores=2"]:
  out.append("--- SKIP: Benchmark%s: pypy3 not found on PATH"%w)
out+=fails
# claim and corrupt
out.append("BenchmarkClaim/id=C3/impl=cpython/workers=2/tasks=5 1 3012345678 ns/op 5 waves")
out.append("BenchmarkClaim/id=C3/impl=cpython/workers=2/tasks=5 1 3009345678 ns/op 5 waves")
# partial cpython spawn shm failing cell with samples
out.append("BenchmarkPingpong/impl=cpython/method=spawn/chan=pipe/size=64B/cores=2 1000 notanumber ns/op")
out.append("--- FAIL: BenchmarkPingpong/impl=cpython/method=forkserver/chan=shm/size=64KiB/cores=2: exit status 1: BrokenPipeError")
out.append("BenchmarkStream/impl=cpython/method=fork/chan=pipe/size=64B/cores=2 1000 15234 ns/op 4302.1")
txt="\n".join(out)+"\n"+"BenchmarkStream/impl=native/method=fork/chan=pipe/size=64B/cores=1 1000 152"
open(__import__("os").path.join(__import__("os").path.dirname(__file__), "raw.bench"),"w").write(txt)
