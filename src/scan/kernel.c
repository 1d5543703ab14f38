// SPDX-License-Identifier: GPL-2.0
/*
 * kernel.c - kernel integrity where the kernel lets userspace look: the
 * syscall table (needs sys_call_table in kallsyms) and modules hidden from
 * /proc/modules (needs module support). Where the kernel cannot answer,
 * the check says "not available" and why: never a false "clean".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "scan/scan_int.h"

void scan_kallsyms_lookup(const char *text, size_t len, const char *const *names, size_t n,
			  uint64_t *addrs)
{
	const char *p = text, *end = text + len;

	memset(addrs, 0, n * sizeof(*addrs));
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *le = nl ? nl : end;
		/* "ffffffff81000000 T _stext [module]" */
		const char *sp1 = memchr(p, ' ', le - p);
		const char *name = sp1 && sp1 + 3 < le && sp1[2] == ' ' ? sp1 + 3 : NULL;

		if (name) {
			size_t nlen = strcspn(name, " \t\n");

			if (name + nlen > le)
				nlen = le - name;
			for (size_t i = 0; i < n; i++)
				if (!addrs[i] && strlen(names[i]) == nlen &&
				    !memcmp(names[i], name, nlen))
					addrs[i] = strtoull(p, NULL, 16);
		}
		p = le + 1;
	}
}

void scan_check_syscall_table(struct scan_ctx *c, struct scan_check_result *res)
{
	static const char *const names[] = { "sys_call_table", "_stext", "_etext" };
	uint64_t addr[3];
	int err = scan_kallsyms(c);

	if (err) {
		scan_status(res, SCAN_NOT_AVAILABLE, "cannot read /proc/kallsyms: %s",
			    strerror(-err));
		return;
	}
	scan_kallsyms_lookup(c->kallsyms, c->kallsyms_len, names, 3, addr);
	res->examined = 1;
	if (!addr[1] && !addr[2]) {
		scan_status(res, SCAN_NOT_AVAILABLE,
			    "kallsyms shows no addresses (kptr_restrict, or not root)");
		return;
	}
	if (!addr[0]) {
		scan_status(res, SCAN_NOT_AVAILABLE,
			    "kallsyms has no sys_call_table (kernel built without "
			    "CONFIG_KALLSYMS_ALL: no data symbols)");
		return;
	}
	/* Reading the table's entries needs kernel memory (a BPF program with
	 * bpf_probe_read_kernel); until that exists the check must not pass. */
	scan_status(res, SCAN_NOT_AVAILABLE,
		    "sys_call_table is at %#llx, but reading kernel memory is not implemented yet",
		    (unsigned long long)addr[0]);
}

/* ---- modules ---- */

/* Is name (a /sys/module entry) a loaded module, not a built-in one?
 * Loaded modules have an initstate file; built-ins only parameters. */
static bool sys_module_loaded(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return !stat(path, &st);
}

static bool proc_modules_has(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ')
			return true;
	return false;
}

void scan_check_modules(struct scan_ctx *c, struct scan_check_result *res)
{
	struct stat st;
	char *mods;
	ssize_t n;
	DIR *d;
	struct dirent *de;

	if (stat("/proc/modules", &st)) {
		scan_status(res, SCAN_NOT_AVAILABLE,
			    "this kernel has no module support (no /proc/modules): no module can "
			    "be loaded, so none can hide");
		return;
	}
	n = scan_read_all("/proc/modules", &mods);
	if (n < 0) {
		scan_status(res, SCAN_FAILED, "cannot read /proc/modules: %s", strerror((int)-n));
		return;
	}
	d = opendir("/sys/module");
	if (!d) {
		scan_status(res, SCAN_FAILED, "cannot list /sys/module: %s", strerror(errno));
		free(mods);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !sys_module_loaded(de->d_name))
			continue;
		res->examined++;
		if (proc_modules_has(mods, de->d_name))
			continue;
		struct scan_finding f = { .check = VGL_SCAN_MODULE_HIDDEN };

		snprintf(f.subject, sizeof(f.subject), "%s", de->d_name);
		snprintf(f.detail, sizeof(f.detail),
			 "module %s is in /sys/module but not in /proc/modules", de->d_name);
		scan_emit(c, SCAN_CHK_MODULES, &f);
	}
	closedir(d);
	free(mods);
}
