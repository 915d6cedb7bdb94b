"""Run a command; print its wall time and peak resident memory: `measure.py LABEL CMD...`."""
import resource, subprocess, sys, time

label, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
dt = time.perf_counter() - t
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if r.returncode != 0:
    sys.exit(f"{label}: exit {r.returncode}")
print(f"| {label} | {dt:.2f} s | {peak_mb:.0f} MB |")
