package promtext

import (
	"database/sql"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runtimeSamples are the runtime/metrics read for the go_* families.
var runtimeSamples = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/os-stacks:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/metadata/mspan/free:bytes",
	"/memory/classes/metadata/mcache/inuse:bytes",
	"/memory/classes/metadata/mcache/free:bytes",
	"/memory/classes/profiling/buckets:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/other:bytes",
	"/memory/classes/total:bytes",
	"/gc/heap/allocs:bytes",
	"/gc/heap/allocs:objects",
	"/gc/heap/frees:objects",
	"/gc/heap/tiny/allocs:objects",
	"/gc/heap/objects:objects",
	"/gc/heap/goal:bytes",
	"/gc/gogc:percent",
	"/gc/gomemlimit:bytes",
	"/sched/gomaxprocs:threads",
}

func gauge(name, help string, v float64) Family {
	return Family{Name: name, Help: help, Type: Gauge, Metrics: []Metric{{Value: v}}}
}

func counter(name, help string, v float64) Family {
	return Family{Name: name, Help: help, Type: Counter, Metrics: []Metric{{Value: v}}}
}

// GoCollector gives the Go runtime's families, with the names and meaning
// of the Prometheus Go client's default Go collector: goroutines, threads,
// GC pauses, the go_memstats_* figures (from runtime/metrics) and the GC
// and scheduler settings.
func GoCollector() Collector {
	return CollectorFunc(func() []Family {
		s := make([]metrics.Sample, len(runtimeSamples))
		for i, name := range runtimeSamples {
			s[i].Name = name
		}
		metrics.Read(s)
		v := func(name string) float64 {
			i := slices.Index(runtimeSamples, name)
			switch s[i].Value.Kind() {
			case metrics.KindUint64:
				return float64(s[i].Value.Uint64())
			case metrics.KindFloat64:
				return s[i].Value.Float64()
			}
			return 0
		}
		mc := func(n string) float64 { return v("/memory/classes/" + n + ":bytes") }
		var gc debug.GCStats
		gc.PauseQuantiles = make([]time.Duration, 5)
		debug.ReadGCStats(&gc)
		pauses := Metric{Sum: gc.PauseTotal.Seconds(), Count: uint64(gc.NumGC)}
		for i, q := range []float64{0, 0.25, 0.5, 0.75, 1} {
			pauses.Buckets = append(pauses.Buckets, Bucket{Bound: q, Value: gc.PauseQuantiles[i].Seconds()})
		}
		threads, _ := runtime.ThreadCreateProfile(nil)
		heapObjects := mc("heap/objects")
		return []Family{
			{Name: "go_gc_duration_seconds", Type: Summary, Metrics: []Metric{pauses},
				Help: "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles."},
			gauge("go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.", v("/gc/gogc:percent")),
			gauge("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.", v("/gc/gomemlimit:bytes")),
			gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine())),
			{Name: "go_info", Help: "Information about the Go environment.", Type: Gauge,
				Metrics: []Metric{{Labels: []Label{{"version", runtime.Version()}}, Value: 1}}},
			gauge("go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.", heapObjects),
			counter("go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.", v("/gc/heap/allocs:bytes")),
			gauge("go_memstats_buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.", mc("profiling/buckets")),
			counter("go_memstats_frees_total", "Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.", v("/gc/heap/frees:objects")+v("/gc/heap/tiny/allocs:objects")),
			gauge("go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.", mc("metadata/other")),
			gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.", heapObjects),
			gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", mc("heap/released")+mc("heap/free")),
			gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes", heapObjects+mc("heap/unused")),
			gauge("go_memstats_heap_objects", "Number of currently allocated objects. Equals to /gc/heap/objects:objects.", v("/gc/heap/objects:objects")),
			gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.", mc("heap/released")),
			gauge("go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", heapObjects+mc("heap/unused")+mc("heap/released")+mc("heap/free")),
			gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", lastGC(gc.LastGC)),
			counter("go_memstats_mallocs_total", "Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.", v("/gc/heap/allocs:objects")+v("/gc/heap/tiny/allocs:objects")),
			gauge("go_memstats_mcache_inuse_bytes", "Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.", mc("metadata/mcache/inuse")),
			gauge("go_memstats_mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.", mc("metadata/mcache/inuse")+mc("metadata/mcache/free")),
			gauge("go_memstats_mspan_inuse_bytes", "Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.", mc("metadata/mspan/inuse")),
			gauge("go_memstats_mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.", mc("metadata/mspan/inuse")+mc("metadata/mspan/free")),
			gauge("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.", v("/gc/heap/goal:bytes")),
			gauge("go_memstats_other_sys_bytes", "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.", mc("other")),
			gauge("go_memstats_stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.", mc("heap/stacks")),
			gauge("go_memstats_stack_sys_bytes", "Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.", mc("heap/stacks")+mc("os-stacks")),
			gauge("go_memstats_sys_bytes", "Number of bytes obtained from system. Equals to /memory/classes/total:byte.", mc("total")),
			gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.", v("/sched/gomaxprocs:threads")),
			gauge("go_threads", "Number of OS threads created.", float64(threads)),
		}
	})
}

func lastGC(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

// DBStatsCollector gives the statistics of the connection pool db as the
// go_sql_* families, labelled db_name=name.
func DBStatsCollector(db *sql.DB, name string) Collector {
	return CollectorFunc(func() []Family {
		st := db.Stats()
		l := []Label{{"db_name", name}}
		one := func(name, help string, typ Type, v float64) Family {
			return Family{Name: name, Help: help, Type: typ, Metrics: []Metric{{Labels: l, Value: v}}}
		}
		return []Family{
			one("go_sql_idle_connections", "The number of idle connections.", Gauge, float64(st.Idle)),
			one("go_sql_in_use_connections", "The number of connections currently in use.", Gauge, float64(st.InUse)),
			one("go_sql_max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns.", Counter, float64(st.MaxIdleClosed)),
			one("go_sql_max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime.", Counter, float64(st.MaxIdleTimeClosed)),
			one("go_sql_max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime.", Counter, float64(st.MaxLifetimeClosed)),
			one("go_sql_max_open_connections", "Maximum number of open connections to the database.", Gauge, float64(st.MaxOpenConnections)),
			one("go_sql_open_connections", "The number of established connections both in use and idle.", Gauge, float64(st.OpenConnections)),
			one("go_sql_wait_count_total", "The total number of connections waited for.", Counter, float64(st.WaitCount)),
			one("go_sql_wait_duration_seconds_total", "The total time blocked waiting for a new connection.", Counter, st.WaitDuration.Seconds()),
		}
	})
}

// ProcessCollector gives the process's CPU time, memory, file descriptors,
// start time and network traffic as the process_* families, read from
// /proc; where /proc is missing (not Linux) it gives none.
func ProcessCollector() Collector {
	return CollectorFunc(func() []Family {
		var out []Family
		stat, err := os.ReadFile("/proc/self/stat")
		if err != nil {
			return nil
		}
		// The fields after the command name, which is in parentheses and
		// may hold spaces: state is field 3 of stat(5), so f[i] is field i+3.
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		num := func(field int) float64 {
			if field-3 >= len(f) {
				return 0
			}
			v, _ := strconv.ParseFloat(f[field-3], 64)
			return v
		}
		const ticks = 100 // USER_HZ, which Linux fixes at 100 for /proc
		out = append(out,
			counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", (num(14)+num(15))/ticks),
			gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", num(23)),
			gauge("process_resident_memory_bytes", "Resident memory size in bytes.", num(24)*float64(os.Getpagesize())))
		if boot := bootTime(); boot > 0 {
			out = append(out, gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", boot+num(22)/ticks))
		}
		if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
			out = append(out, gauge("process_open_fds", "Number of open file descriptors.", float64(len(fds))))
		}
		if limits, err := os.ReadFile("/proc/self/limits"); err == nil {
			if v, ok := softLimit(string(limits), "Max open files"); ok {
				out = append(out, gauge("process_max_fds", "Maximum number of open file descriptors.", v))
			}
			if v, ok := softLimit(string(limits), "Max address space"); ok {
				out = append(out, gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", v))
			}
		}
		if dev, err := os.ReadFile("/proc/self/net/dev"); err == nil {
			rx, tx := netBytes(string(dev))
			out = append(out,
				counter("process_network_receive_bytes_total", "Number of bytes received by the process over the network.", rx),
				counter("process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.", tx))
		}
		return out
	})
}

// bootTime is the btime line of /proc/stat, or 0.
func bootTime() float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "btime "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v
		}
	}
	return 0
}

// softLimit is the soft limit of the line named name of /proc/self/limits;
// unlimited is 2^64-1, as the kernel's RLIM_INFINITY.
func softLimit(limits, name string) (float64, bool) {
	for line := range strings.Lines(limits) {
		rest, ok := strings.CutPrefix(line, name)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, false
		}
		if f[0] == "unlimited" {
			return float64(^uint64(0)), true
		}
		v, err := strconv.ParseFloat(f[0], 64)
		return v, err == nil
	}
	return 0, false
}

// netBytes sums the received and transmitted bytes of every interface of
// /proc/self/net/dev.
func netBytes(dev string) (rx, tx float64) {
	for line := range strings.Lines(dev) {
		_, counters, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(counters)
		if len(f) < 9 {
			continue
		}
		r, err1 := strconv.ParseFloat(f[0], 64)
		t, err2 := strconv.ParseFloat(f[8], 64)
		if err1 == nil && err2 == nil {
			rx, tx = rx+r, tx+t
		}
	}
	return rx, tx
}
