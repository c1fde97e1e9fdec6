new_disks $ZFW $ZLAY
step P 'echo hello from provisioning; ls /usr/bin'
make_state
boot P
check_eq "out" "hello from provisioning" "${OUT_LINES[0]}"
