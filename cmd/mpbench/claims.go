package main

func claimsCmd(args []string) error {
	return usagef("claims: not implemented yet")
}
