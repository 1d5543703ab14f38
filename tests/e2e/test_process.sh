#!/bin/bash
# Process events: exec flags, argv, fd kinds, scripts, failures, fork/exit,
# ancestry. Real binaries, real memfd, real sockets.
. "$(dirname "$0")/lib.sh"

vigil_start -e exec,fork,exit

# 1. A binary dropped in /tmp after vigil started, run with hostile argv.
DROP=/tmp/vgl-dropped-$$
cp /usr/bin/touch "$DROP"
DROP_CTIME=$(stat -c %Z "$DROP")
# run from $WORK: touch also creates the files its hostile arguments name
(cd "$WORK" && "$DROP" "$WORK/marker" 'arg "quoted"' $'new\nline' 2>/dev/null)
rm -f "$DROP"

# 2. Fileless: the same kind of binary run from a memfd.
"$HELPERS/memfd_exec" vgl-fileless /usr/bin/true fileless-arg

# 3. A shell whose stdin/stdout are a TCP socket (reverse-shell shape).
PORT=$((20000 + RANDOM % 20000))
python3 -c "
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1',$PORT)); s.listen(1); print('ready',flush=True)
c,_=s.accept(); c.recv(100); c.close()" >"$WORK/listener.out" &
LISTENER=$!
for _ in $(seq 50); do grep -q ready "$WORK/listener.out" && break; sleep 0.1; done
"$HELPERS/stdio_socket" "$PORT" /bin/sh -c 'echo socket-shell'
wait $LISTENER

# 4. A script run through its interpreter.
printf '#!/bin/sh\nexit 0\n' >"$WORK/script.sh"
chmod +x "$WORK/script.sh"
"$WORK/script.sh"

# 5. A failed exec is an event too (its environment is never looked at).
LD_PRELOAD=/tmp/x.so "$WORK/does-not-exist" 2>/dev/null

# 6. Exit code and killing signal.
sh -c 'exit 7'
sleep 30 &
SLEEPER=$!
kill -9 $SLEEPER
wait $SLEEPER 2>/dev/null

# 7. A deep chain for ancestry.
# (the trailing ':' keeps each shell from exec'ing its last command)
bash -c 'bash -c "sh -c \"/bin/echo deep-chain; :\"; :"; :' >/dev/null

# 8. LD_PRELOAD in the new environment (the loader complains the library
# is missing; the exec happened all the same).
E=$HELPERS/sensor_execenv
[ -x "$E" ] || fail "missing $E: run make build/helpers/sensor_execenv"
LD_PRELOAD=/tmp/x.so /bin/true vgl-preload 2>/dev/null
/bin/true vgl-no-preload
"$E" -p 300 LD_PRELOAD=/tmp/pad300.so -- /bin/true vgl-pad300 2>/dev/null
"$E" -p 1023 LD_PRELOAD=/tmp/pad1023.so -- /bin/true vgl-pad1023 2>/dev/null
"$E" -p 1024 LD_PRELOAD=/tmp/pad1024.so -- /bin/true vgl-pad1024 2>/dev/null
"$E" LD_PRELOAD=/tmp/a.so X=1 LD_PRELOAD=/tmp/b.so -- /bin/true vgl-twice 2>/dev/null
"$E" LD_PRELOAD= -- /bin/true vgl-empty-preload
"$E" LD_PRELOADX=/tmp/no.so LD_PRELOA=/tmp/no.so XLD_PRELOAD=/tmp/no.so -- /bin/true vgl-near

# 9. stdio inodes: a pipeline's ends, a file, a closed fd.
/bin/echo vgl-pipe | /bin/cat - /dev/null >/dev/null
/bin/true vgl-stdio-file >"$WORK/stdout.file" <&-

vigil_stop

ev=$(expect_event ".type==\"exec\" and .exec.path==\"$DROP\"" "exec of the dropped binary")
expect_field "$ev" .exec.in_tmp_dir true "dropped binary"
expect_field "$ev" .exec.written_after_start true "dropped binary"
expect_field "$ev" .exec.is_memfd false "dropped binary"
expect_field "$ev" .exec.is_deleted false "dropped binary"
expect_field "$ev" .ret 0 "dropped binary"
expect_field "$ev" '.exec.args|length' 4 "dropped binary argv"
expect_field "$ev" '.exec.args[0]' "$DROP" "dropped binary argv[0]"
expect_field "$ev" '.exec.args[2]' 'arg "quoted"' "dropped binary argv[2]"
expect_field "$ev" '.exec.args[3]' $'new\nline' "dropped binary argv[3]"
expect_field "$ev" .exec.argc 4 "dropped binary"
expect_field "$ev" .proc.exe "$DROP" "dropped binary proc.exe"
expect_field "$ev" .exec.cwd "$WORK" "dropped binary cwd"
expect_field "$ev" .exec.mode 0755 "dropped binary mode"
expect_field "$ev" '.exec.ctime_ns/1e9|floor' "$DROP_CTIME" "dropped binary ctime"
[ "$(printf '%s' "$ev" | jq -r .exec.ino)" = "$(stat -c %i /usr/bin/touch)" ] &&
	fail "dropped binary reports the inode of the original"
tmpfs=false
[ "$(stat -f -c %T /tmp)" = tmpfs ] && tmpfs=true
expect_field "$ev" .exec.on_tmpfs $tmpfs "dropped binary tmpfs flag"
pass "exec of a binary dropped in /tmp: path, argv, flags"

ev=$(expect_event '.type=="exec" and .exec.is_memfd' "memfd exec")
expect_field "$ev" .exec.path /memfd:vgl-fileless "memfd exec path"
expect_field "$ev" '.exec.args|join(" ")' "/usr/bin/true fileless-arg" "memfd exec argv"
expect_field "$ev" .exec.in_tmp_dir false "memfd exec"
pass "fileless exec from a memfd is flagged"

ev=$(expect_event '.type=="exec" and (.exec.args|join(" "))=="/bin/sh -c echo socket-shell"' "socket-stdio shell")
expect_field "$ev" '.exec.stdio[0]' socket "shell stdin"
expect_field "$ev" '.exec.stdio[1]' socket "shell stdout"
pass "stdio on a socket is reported"

ev=$(expect_event ".type==\"exec\" and .exec.path==\"$WORK/script.sh\"" "script exec")
expect_field "$ev" .exec.is_script true "script"
expect_field "$ev" .exec.interpreter "$(readlink -f /bin/sh)" "script interpreter"
pass "scripts report the script and the interpreter"

ev=$(expect_event ".type==\"exec\" and .ret<0 and .exec.path==\"$WORK/does-not-exist\"" "failed exec")
expect_field "$ev" .error ENOENT "failed exec"
expect_field "$ev" '.exec|has("ld_preload")' false "failed exec has no ld_preload"
expect_field "$ev" '.exec.stdio_ino|join(",")' 0,0,0 "failed exec has no stdio inodes"
pass "failed exec is an event with its error"

ev=$(expect_event '.type=="exit" and .exit.code==7' "exit 7")
expect_field "$ev" .proc.comm sh "exit 7"
ev=$(expect_event ".type==\"exit\" and .proc.pid==$SLEEPER" "killed sleeper")
expect_field "$ev" .exit.signal 9 "killed sleeper"
expect_field "$ev" .exit.signal_name KILL "killed sleeper"
ev=$(expect_event ".type==\"fork\" and .fork.child_pid==$SLEEPER" "fork of the sleeper")
expect_field "$ev" .proc.pid $$ "fork parent"
pass "fork and exit (code and signal)"

ev=$(expect_event '.type=="exec" and (.exec.args|join(" "))=="/bin/echo deep-chain"' "deep chain")
expect_field "$ev" '.ancestors[0].comm' sh "ancestor 1"
expect_field "$ev" '.ancestors[1].exe' "$(readlink -f /bin/bash)" "ancestor 2"
expect_field "$ev" '.ancestors[2].exe' "$(readlink -f /bin/bash)" "ancestor 3"
expect_field "$ev" '.ancestors[3].pid' $$ "ancestor 4 is this test"
[ "$(printf '%s' "$ev" | jq '.ancestors|length')" -ge 5 ] || fail "fewer than 5 ancestors"
pass "ancestry of 5+ levels with exe and args"

# exec of the argv given (a marker as argv[1] tells the test's execs apart)
exec_of() {
	expect_event ".type==\"exec\" and .exec.args==$1" "exec of $1"
}

ev=$(exec_of '["/bin/true","vgl-preload"]')
expect_field "$ev" .exec.ld_preload /tmp/x.so "LD_PRELOAD in the environment"
expect_field "$ev" .exec.path "$(readlink -f /bin/true)" "LD_PRELOAD exec path"
ev=$(exec_of '["/bin/true","vgl-no-preload"]')
expect_field "$ev" '.exec|has("ld_preload")' false "exec without LD_PRELOAD"
ev=$(exec_of '["/bin/true","vgl-pad300"]')
expect_field "$ev" .exec.ld_preload /tmp/pad300.so "LD_PRELOAD after 300 variables"
ev=$(exec_of '["/bin/true","vgl-pad1023"]')
expect_field "$ev" .exec.ld_preload /tmp/pad1023.so "LD_PRELOAD as variable 1024 (the bound)"
ev=$(exec_of '["/bin/true","vgl-pad1024"]')
expect_field "$ev" '.exec|has("ld_preload")' false "LD_PRELOAD as variable 1025 (past the bound)"
ev=$(exec_of '["/bin/true","vgl-twice"]')
expect_field "$ev" .exec.ld_preload /tmp/a.so:/tmp/b.so "LD_PRELOAD defined twice"
ev=$(exec_of '["/bin/true","vgl-empty-preload"]')
expect_field "$ev" .exec.ld_preload "" "empty LD_PRELOAD"
ev=$(exec_of '["/bin/true","vgl-near"]')
expect_field "$ev" '.exec|has("ld_preload")' false "names that only look like LD_PRELOAD"
pass "exec.ld_preload: value, absence, 300 variables, the 1024 bound, duplicates, near misses"

writer=$(exec_of '["/bin/echo","vgl-pipe"]')
reader=$(exec_of '["/bin/cat","-","/dev/null"]')
expect_field "$writer" '.exec.stdio[1]' pipe "pipeline writer stdout"
expect_field "$reader" '.exec.stdio[0]' pipe "pipeline reader stdin"
w_ino=$(printf '%s' "$writer" | jq '.exec.stdio_ino[1]')
[ "$w_ino" -gt 0 ] || fail "pipeline writer has no stdout inode"
expect_field "$reader" '.exec.stdio_ino[0]' "$w_ino" "reader stdin inode = writer stdout inode"
[ "$(printf '%s' "$writer" | jq '.exec.stdio_ino[0]')" != "$w_ino" ] ||
	fail "writer's stdin is the pipe too"
ev=$(exec_of '["/bin/true","vgl-stdio-file"]')
expect_field "$ev" '.exec.stdio[0]' none "closed stdin"
expect_field "$ev" '.exec.stdio_ino[0]' 0 "closed stdin inode"
expect_field "$ev" '.exec.stdio[1]' file "stdout to a file"
expect_field "$ev" '.exec.stdio_ino[1]' "$(stat -c %i "$WORK/stdout.file")" "stdout file inode"
expect_field "$ev" '.exec.stdio_ino|length' 3 "stdio_ino has 3 entries"
pass "exec.stdio_ino links a pipeline's writer and reader; files and closed fds"

ev=$(expect_event ".type==\"exec\" and .exec.path==\"$DROP\"" "exec of the dropped binary")
expect_field "$ev" .exec.outside_root false "host exec"
pass "host execs are not outside the root"

no_event ".proc.comm==\"vigil\"" "vigil reports itself"
pass "vigil does not report its own activity"
