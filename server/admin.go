package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"

	"cogov/graph"
	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/problem"
	"cogov/internal/structure"
)

// createAdmin bootstraps a sub-district administrator: it creates the
// sub-district if it does not exist yet, then an account with the
// SUBDISTRICT_ADMIN role over it. The password comes from
// COGOV_ADMIN_PASSWORD or is generated and printed once. There is no
// account to act as yet: the audit log records the operating-system user
// who ran the command as the actor (osActor).
func createAdmin(ctx context.Context, res *graph.Resolver, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	code := fs.String("subdistrict", "", "code of the sub-district, e.g. houjiatang (required)")
	name := fs.String("name", "", "display name, if the sub-district must be created")
	tz := fs.String("time-zone", "Asia/Shanghai", "IANA time zone, if the sub-district must be created")
	username := fs.String("username", "", "the administrator's username (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *code == "" || *username == "" {
		return errors.New("create-admin needs -subdistrict and -username")
	}
	ctx = access.With(ctx, access.System(osActor()))
	sd, err := res.Structure.SubdistrictByCode(ctx, *code)
	if errors.Is(err, problem.ErrNotFound) {
		if *name == "" {
			return fmt.Errorf("sub-district %q does not exist; give -name to create it", *code)
		}
		sd, err = res.Structure.CreateSubdistrict(ctx, structure.NewSubdistrict{Code: *code, Name: *name, TimeZone: *tz})
	}
	if err != nil {
		return err
	}
	password := os.Getenv("COGOV_ADMIN_PASSWORD")
	generated := password == ""
	if generated {
		var b [18]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		password = base64.RawURLEncoding.EncodeToString(b[:])
	}
	a, err := res.Accounts.CreateAccount(ctx, accountInput(*username, password, sd.ID))
	if err != nil {
		return err
	}
	if _, err := res.Accounts.GrantRole(ctx, a.ID, access.SubdistrictAdmin, &sd.ID); err != nil {
		return err
	}
	fmt.Fprintf(out, "created %s, administrator of %s (%s)\n", a.Username, sd.Name, sd.Code)
	if generated {
		fmt.Fprintf(out, "password: %s\n", password)
	}
	return nil
}

// osActor labels the operating-system user running the command, e.g.
// "os:root", for the audit log.
func osActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "os:" + u.Username
	}
	return "os:uid-" + strconv.Itoa(os.Getuid())
}

func accountInput(username, password, sd string) account.NewAccount {
	return account.NewAccount{Username: username, Password: password, SubdistrictID: &sd}
}
