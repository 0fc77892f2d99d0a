// `gradscope memory`: the curse of memory (core/analyses/curse_of_memory.h) as CSV, over a grid
// of lambda.
#pragma once
#include <string>

#include "analyses/cliff.h"  // CliffAxis: a LO:HI:N grid
#include "analyses/curse_of_memory.h"

namespace gs {

inline constexpr const char* kMemoryDefaultLambda = "0.5:0.999:100";

// --lambda LO:HI:N, --teacher L, --rho R: "" or what is wrong.
std::string parse_memory_flag(const std::string& key, const std::string& value,
                              MemoryProblem& problem, CliffAxis& lambda);
// The grid and the problem together: "" or what is wrong.
std::string memory_error(const CliffAxis& lambda, const MemoryProblem& problem);

// Prints a '#' line with the problem, then CSV
// lambda,loss,sensitivity_plain,sensitivity_normalized,sensitivity_expexp.
void print_memory(const MemoryProblem& problem, const CliffAxis& lambda);

}  // namespace gs
