/* PID 1 of a throwaway VM: mount what bpftool needs, load each object given on the kernel
 * command line (xlb.obj=...), print the verdict, power off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <sys/reboot.h>
#include <sys/stat.h>

static int run(char *const argv[]) {
    pid_t pid = fork();
    if (pid == 0) { execv(argv[0], argv); perror("execv"); _exit(127); }
    int st; waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
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
        printf("KERNEL-COMPAT %s rc=%d\n", objs[i], rc);
        fflush(stdout);
    }
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
