// `mpirun -np N avf run …`: one compliance run on N MPI ranks, committed once by rank 0, with the
// findings, problems, commit record and content digest of the single-process run (docs/mpi.md).
//
//   plan       every rank: the streamed inputs (detections, then reports) as one sequence of bytes
//              cut into N shares; a CSV file is cut at newlines, a cut kept only where the quotes
//              before it are even and every line number is known (newlines and quotes counted per
//              piece by its rank, summed with MPI_Allreduce); any other file goes whole to one rank
//   pass       every rank: the streaming DetectionPass over its share (InputShare)
//   check      rank 0 gathers every rank's id digests: an id seen twice anywhere, or a share that
//              ended inside a record, and rank 0 evaluates the detections alone (the plain pass)
//   gather     ranks 1…N-1 send rank 0 their counts, rule states (Rule::save_state), findings with
//              their input positions and problems, in rank order; rank 0 adds them as if from more
//              threads (input positions shifted by the detections admitted on earlier ranks)
//   commit     rank 0: whole-run rules, merge, store writer, commit — the ComplianceRun stages
//
// Only processes started by an MPI launcher take this path (launched_by_mpi): a plain `avf run` of
// an MPI build never initialises MPI. A rank that fails prints its rank, the path and the cause and
// aborts the job (MPI_Abort) before rank 0 commits: the store is unchanged.
//
//   if (avf::pipeline::launched_by_mpi()) {
//       avf::pipeline::DistributedRun run = avf::pipeline::run_distributed(options);
//       if (run.rank == 0) report(run.result);   // other ranks: nothing to report
//   }
#pragma once

#include "pipeline/run_options.hpp"

namespace avf::pipeline {

/// True when an MPI launcher started this process (OMPI_COMM_WORLD_SIZE, PMI_SIZE or
/// PMIX_RANK in the environment).
bool launched_by_mpi();

struct DistributedRun {
    int rank = 0, ranks = 1;
    RunResult result; ///< rank 0's: the committed run; empty on the other ranks
};

/// Initialises MPI, runs the compliance run on every rank, finalises MPI. A failure on any rank
/// ends the whole job (MPI_Abort with the error's exit code) after printing "avf: error: rank R of
/// N: …" on stderr. Without AVF_MPI: UsageError.
DistributedRun run_distributed(const RunOptions& options);

} // namespace avf::pipeline
