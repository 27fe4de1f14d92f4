/* What this binary is: the variant's parts and the git revision, fixed at build time. */

#ifndef SKYBENCH_VARIANT
#error "SKYBENCH_VARIANT must be defined by the Makefile"
#endif
#ifndef SKYBENCH_GIT_REV
#error "SKYBENCH_GIT_REV must be defined by the Makefile"
#endif

const char skybench_variant[] = SKYBENCH_VARIANT;
const char skybench_git_rev[] = SKYBENCH_GIT_REV;
