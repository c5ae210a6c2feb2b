-- run: backend 10001 is dead; nothing is submitted
SHOW FRONTENDS;
SHOW BACKENDS;
