package vault

import (
	"fmt"
	"sort"
	"strings"
)

// NotFoundError says a record or folder name matched nothing.
type NotFoundError struct{ What, Name string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found in the vault", e.What, e.Name)
}

// AmbiguousError lists the candidates when a name matches several records
// or folders.
type AmbiguousError struct {
	What       string
	Name       string
	Candidates []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("more than one %s matches %q: %s; use the UID", e.What, e.Name, strings.Join(e.Candidates, "; "))
}

// splitPath splits a folder path as Commander's subfolder.path_split does:
// a leading "/" (not "//") is the root, "/" separates components and "//"
// stands for a literal slash. Paths are relative to the root here (this
// client has no current folder).
func splitPath(p string) []string {
	if strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") {
		p = p[1:]
	}
	parts := strings.Split(strings.ReplaceAll(p, "//", "\x00"), "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(s, "\x00", "/")
	}
	return parts
}

// children returns the folders directly under parent ("" the root).
func (v *Vault) children(parent string) []*Folder {
	var out []*Folder
	for _, f := range v.folders {
		if f.ParentUID == parent {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out
}

// lookupPath follows components from the root as subfolder.lookup_path
// does: "." and "" stay, ".." goes up, a folder uid jumps to that folder,
// anything else matches child folder names exactly. It returns how many
// components matched and the folders reached ("" the root).
func (v *Vault) lookupPath(parts []string) (int, []string) {
	cur := []string{""}
	n := 0
	for i, c := range parts {
		var next []string
		switch {
		case c == "." || c == "":
			next = cur
		case c == "..":
			for _, f := range cur {
				parent := ""
				if fo := v.folders[f]; fo != nil && v.folders[fo.ParentUID] != nil {
					parent = fo.ParentUID
				}
				next = append(next, parent)
			}
		case v.folders[c] != nil:
			next = []string{c}
		default:
			for _, f := range cur {
				for _, ch := range v.children(f) {
					if ch.Name == c {
						next = append(next, ch.UID)
					}
				}
			}
		}
		if len(next) == 0 {
			break
		}
		cur, n = next, i+1
	}
	return n, cur
}

func (v *Vault) folderLabel(id string) string {
	if id == "" {
		return "/"
	}
	return fmt.Sprintf("%s (%s)", v.FolderPath(id), id)
}

// FindFolder resolves a folder by uid or path from the root, as
// FolderMixin.resolve_folder does. The root ("", "/") is (nil, nil). A
// path that reaches more than one folder (folders of the same name) is an
// AmbiguousError; one that does not reach a folder a NotFoundError.
func (v *Vault) FindFolder(name string) (*Folder, error) {
	if f := v.folders[name]; f != nil {
		return f, nil
	}
	parts := splitPath(name)
	n, found := v.lookupPath(parts)
	if n < len(parts) {
		return nil, &NotFoundError{What: "folder", Name: name}
	}
	if len(found) > 1 {
		amb := &AmbiguousError{What: "folder", Name: name}
		for _, f := range found {
			amb.Candidates = append(amb.Candidates, v.folderLabel(f))
		}
		return nil, amb
	}
	if found[0] == "" {
		return nil, nil
	}
	return v.folders[found[0]], nil
}

func (v *Vault) recordLabel(r *Record) string {
	where := v.RecordFolders(r.UID)
	paths := make([]string, 0, len(where))
	for _, f := range where {
		if f == "" {
			paths = append(paths, "/")
		} else {
			paths = append(paths, "/"+v.FolderPath(f))
		}
	}
	if len(paths) == 0 {
		return fmt.Sprintf("%s (%s)", r.Title, r.UID)
	}
	return fmt.Sprintf("%s (%s) in %s", r.Title, r.UID, strings.Join(paths, ", "))
}

// FindRecord resolves a record as RecordMixin.resolve_single_record does,
// with two additions: a title that is unique in the whole vault is found
// wherever it is filed, and several matches are an AmbiguousError listing
// them instead of the first one winning. In order:
//  1. a record uid;
//  2. a path from the root whose last component is the title of a record
//     filed in the folder the rest names (titles compared
//     case-insensitively, "//" for a slash in a name);
//  3. for a name without a folder part, a title anywhere in the vault.
func (v *Vault) FindRecord(name string) (*Record, error) {
	if r := v.recs[name]; r != nil {
		return r, nil
	}
	parts := splitPath(name)
	n, folders := v.lookupPath(parts[:len(parts)-1])
	var found []*Record
	if n == len(parts)-1 {
		title := parts[len(parts)-1]
		seen := map[string]bool{}
		for _, f := range folders {
			for id := range v.placed[f] {
				if r := v.recs[id]; r != nil && !seen[id] && strings.EqualFold(r.Title, title) {
					seen[id] = true
					found = append(found, r)
				}
			}
		}
	}
	if len(found) == 0 && len(parts) == 1 {
		found = v.RecordsTitled(name)
	}
	switch len(found) {
	case 0:
		return nil, &NotFoundError{What: "record", Name: name}
	case 1:
		return found[0], nil
	}
	sort.Slice(found, func(i, j int) bool { return found[i].UID < found[j].UID })
	amb := &AmbiguousError{What: "record", Name: name}
	for _, r := range found {
		amb.Candidates = append(amb.Candidates, v.recordLabel(r))
	}
	return nil, amb
}

// RecordsTitled lists the records whose title equals title
// case-insensitively, by uid.
func (v *Vault) RecordsTitled(title string) []*Record {
	var out []*Record
	for _, r := range v.recs {
		if strings.EqualFold(r.Title, title) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out
}
