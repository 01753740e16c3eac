package main

import (
	"os"
	"path/filepath"
	"testing"

	"cogov/graph"
)

// TestPersistedConfig reads COGOV_PERSISTED_ONLY and the manifests of
// COGOV_PERSISTED_DOCUMENTS_DIR, and refuses a manifest the schema does not
// validate, before the server starts.
func TestPersistedConfig(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://x@localhost/x")
	c, err := loadConfig()
	contract, _ := graph.ContractDocuments()
	if err != nil || c.persistedOnly || c.documents == nil || c.documents.Len() != contract.Len() {
		t.Fatalf("config = %+v, %v", c, err)
	}
	t.Setenv("COGOV_PERSISTED_ONLY", "yes")
	if _, err := loadConfig(); err == nil {
		t.Error("COGOV_PERSISTED_ONLY=yes was accepted")
	}
	t.Setenv("COGOV_PERSISTED_ONLY", "true")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "persisted-documents.json"), []byte(`{"abc": "query T { __typename }"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("COGOV_PERSISTED_DOCUMENTS_DIR", dir)
	c, err = loadConfig()
	if err != nil || !c.persistedOnly || c.documents.Len() != contract.Len()+1 {
		t.Errorf("with a manifest: %+v, %v", c, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"x": "{ noSuchField }"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(); err == nil {
		t.Error("a manifest with a document the schema does not have was accepted")
	}
}
