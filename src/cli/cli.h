#ifndef NODEGUARD_CLI_H
#define NODEGUARD_CLI_H

/* Exit codes shared by the subcommands (documented in nodeguard(1)). */
enum { CLI_OK = 0, CLI_DOES_NOT_FIT = 1, CLI_CHECK_FAILED = 1, CLI_BAD_INPUT = 2 };

int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif
