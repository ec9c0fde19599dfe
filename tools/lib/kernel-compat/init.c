/* PID 1 of a throwaway VM: mount what bpftool needs, load each object with bpftool, print the
 * verdict and, for each program loaded, the instructions the verifier processed; power off. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int run(char *const argv[]) {
    pid_t pid = fork();
    if (pid == 0) { execv(argv[0], argv); perror("execv"); _exit(127); }
    int st; waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static long sys_bpf(int cmd, union bpf_attr *attr) {
    return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* "KERNEL-COMPAT-STATS <object> <program> verified_insns=N" for each program pinned under dir. */
static void print_stats(const char *obj, const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) return;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[256]; snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        union bpf_attr attr; memset(&attr, 0, sizeof attr);
        attr.pathname = (__u64)(unsigned long)path;
        int fd = sys_bpf(BPF_OBJ_GET, &attr);
        if (fd < 0) continue;
        struct bpf_prog_info info; memset(&info, 0, sizeof info);
        memset(&attr, 0, sizeof attr);
        attr.info.bpf_fd = fd;
        attr.info.info_len = sizeof info;
        attr.info.info = (__u64)(unsigned long)&info;
        if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0)
            printf("KERNEL-COMPAT-STATS %s %s verified_insns=%u\n", obj, e->d_name, info.verified_insns);
        close(fd);
    }
    closedir(d);
}

int main(void) {
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mkdir("/sys/fs/bpf", 0755);
    if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL)) perror("mount bpf");
    const char *objs[] = {"/xlb.o", "/decap.o"};
    for (int i = 0; i < 2; i++) {
        char pin[64]; snprintf(pin, sizeof pin, "/sys/fs/bpf/o%d", i);
        char *argv[] = {"/bpftool", "prog", "loadall", (char *)objs[i], pin, NULL};
        int rc = run(argv);
        if (rc == 0) print_stats(objs[i], pin);
        printf("KERNEL-COMPAT %s rc=%d\n", objs[i], rc);
        fflush(stdout);
    }
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
