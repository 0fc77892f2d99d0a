// `gradscope memory` and `gradscope memory-descent`: the curse of memory
// (core/analyses/curse_of_memory.h) as CSV. The teacher, rho and the descent are keys of the
// configuration (teacher, rho, student, student_lr, student_iters), as in the page.
#pragma once
#include <string>

#include "analyses/cliff.h"  // CliffAxis: a LO:HI:N grid
#include "analyses/curse_of_memory.h"
#include "model/config.h"

namespace gs {

inline constexpr const char* kMemoryDefaultLambda = "0.5:0.999:100";

// --lambda LO:HI:N: "" or what is wrong with the grid.
std::string memory_grid_error(const CliffAxis& lambda);

// The configuration's problem and descent.
MemoryProblem memory_problem(const Config& config);
MemoryDescent memory_descent_of(const Config& config);

// Prints a '#' line with the problem, then CSV
// lambda,loss,sensitivity_plain,sensitivity_normalized,sensitivity_expexp.
void print_memory(const Config& config, const CliffAxis& lambda);

// Prints a '#' line with the problem and descent, one per run that left (0, 1), then CSV
// iteration,lambda_plain,loss_plain,lambda_normalized,loss_normalized,lambda_expexp,loss_expexp
// (after a run left (0, 1) its two fields are empty).
void print_memory_descent(const Config& config);

}  // namespace gs
