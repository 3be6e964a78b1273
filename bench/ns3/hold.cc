// hold.cc: the hold model on ns-3's event scheduler, the C++ side of the
// comparison with sipsim's BenchmarkHold (sim/scheduler_bench_test.go).
//
// The event set is prefilled with N events at exponential times; each
// processed event schedules one new event at now plus an exponential delay,
// so the population stays N. The delays come from a table computed before
// the run with the same formula as the Go benchmark (holdDelays): entry i is
// -1e9 * log1p(-u_i) nanoseconds, u_i being the top 53 bits of splitmix64(i)
// scaled to [0, 1). Both sides therefore process the same keys.
//
// With "cancel" as fourth argument it runs the HoldCancel variant instead:
// each event also schedules nine timers at now + 1 s + delay and cancels
// (Simulator::Cancel, ns-3's O(1) lazy cancellation) the nine scheduled by
// the previous event, as BenchmarkHoldCancel does.
//
// Usage: hold SCHEDULER PENDING EVENTS [cancel]
//   SCHEDULER is Map, Heap, List, Calendar or PriorityQueue (ns3::NAMEScheduler).
// It prints one line of key=value pairs, among them events_per_cpu_s: the
// events processed per second of process CPU time spent in Simulator::Run.

#include "ns3/core-module.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace
{

constexpr uint64_t kTableSize = 1u << 20; // as holdTableSize in Go
constexpr double kMeanNs = 1e9;           // as holdMean in Go: one second

uint64_t
Splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::vector<int64_t> g_delays;
uint32_t g_next = 0;
uint64_t g_target = 0;
uint64_t g_processed = 0;
bool g_cancel = false;
uint64_t g_doomedFired = 0;
ns3::EventId g_doomed[9];

int64_t
NextDelay()
{
    int64_t d = g_delays[g_next & (kTableSize - 1)];
    g_next++;
    return d;
}

void Fire();

void
Doomed()
{
    g_doomedFired++; // never expected: doomed timers are cancelled first
}

void
Fire()
{
    ns3::Simulator::Schedule(ns3::NanoSeconds(NextDelay()), &Fire);
    if (g_cancel)
    {
        for (auto& id : g_doomed)
        {
            ns3::Simulator::Cancel(id);
            id = ns3::Simulator::Schedule(ns3::NanoSeconds(int64_t(kMeanNs) + NextDelay()), &Doomed);
        }
    }
    if (++g_processed == g_target)
    {
        ns3::Simulator::Stop();
    }
}

double
CpuSeconds()
{
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 4)
    {
        std::fprintf(stderr, "usage: %s Map|Heap|List|Calendar|PriorityQueue PENDING EVENTS [cancel]\n", argv[0]);
        return 2;
    }
    std::string kind = argv[1];
    uint64_t pending = std::strtoull(argv[2], nullptr, 10);
    g_target = std::strtoull(argv[3], nullptr, 10);
    g_cancel = argc > 4 && std::string(argv[4]) == "cancel";
    if (kind != "Map" && kind != "Heap" && kind != "List" && kind != "Calendar" &&
        kind != "PriorityQueue")
    {
        std::fprintf(stderr, "unknown scheduler %s: want Map, Heap, List, Calendar or PriorityQueue\n", kind.c_str());
        return 2;
    }
    if (pending == 0 || g_target == 0)
    {
        std::fprintf(stderr, "PENDING and EVENTS must be positive\n");
        return 2;
    }

    g_delays.resize(kTableSize);
    for (uint64_t i = 0; i < kTableSize; i++)
    {
        double u = double(Splitmix64(i) >> 11) * 0x1p-53;
        g_delays[i] = int64_t(-kMeanNs * std::log1p(-u)); // truncation, as Go's conversion
    }

    ns3::ObjectFactory factory;
    factory.SetTypeId("ns3::" + kind + "Scheduler");
    ns3::Simulator::SetScheduler(factory);

    for (uint64_t i = 0; i < pending; i++)
    {
        ns3::Simulator::Schedule(ns3::NanoSeconds(NextDelay()), &Fire);
    }

    double start = CpuSeconds();
    ns3::Simulator::Run();
    double cpu = CpuSeconds() - start;

    std::printf("scheduler=ns3::%sScheduler model=%s pending=%llu events=%llu cpu_s=%.3f "
                "ns_per_event=%.1f events_per_cpu_s=%.0f doomed_fired=%llu\n",
                kind.c_str(),
                g_cancel ? "hold-cancel" : "hold",
                (unsigned long long)pending,
                (unsigned long long)g_processed,
                cpu,
                cpu * 1e9 / double(g_processed),
                double(g_processed) / cpu,
                (unsigned long long)g_doomedFired);
    ns3::Simulator::Destroy();
    return g_processed == g_target && g_doomedFired == 0 ? 0 : 1;
}
