// The distributed run of a build without MPI (AVF_MPI=OFF): N plain processes would commit N
// runs, so avf refuses to run under a launcher instead.
#include "core/error.hpp"
#include "pipeline/distributed.hpp"

#include <cstdlib>

namespace avf::pipeline {

bool launched_by_mpi() {
    return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

DistributedRun run_distributed(const RunOptions& /*options*/) {
    throw UsageError("this avf was built without MPI (cmake -DAVF_MPI=ON builds `mpirun -np N avf run`; docs/mpi.md): run it without mpirun");
}

} // namespace avf::pipeline
