package graph_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// nodeTool is a Node check under graph/testdata/<name> whose pinned packages
// (package-lock.json) are installed with `npm ci` once per test run, when
// node_modules lacks pkg. It returns the directory to run the check in.
func nodeTool(name, pkg string) func() (string, error) {
	return sync.OnceValues(func() (string, error) {
		dir, err := filepath.Abs(filepath.Join("testdata", name))
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg)); err == nil {
			return dir, nil
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", &exec.Error{Name: "npm ci in " + dir + ": " + string(out), Err: err}
		}
		return dir, nil
	})
}
