/* SPDX-License-Identifier: GPL-2.0 */
/* cmd.h - vigil's subcommands; each parses its own options. */
#ifndef VIGIL_CMD_H
#define VIGIL_CMD_H

int cmd_trace(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_unpin(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_incidents(int argc, char **argv);
int cmd_scan(int argc, char **argv);

#endif
