package emit

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/load"
	"github.com/kamgen/kamgen/internal/model"
)

// TestFileIsDeterministic: File names its imports from a map; whatever the
// iteration order, the bytes are the same. The cases have many imports,
// two of them with the same package name.
func TestFileIsDeterministic(t *testing.T) {
	pkgs, bad, err := load.Packages("../..", nil, "./testdata/msgtypes", "./testdata/importnames")
	require.Empty(t, bad)
	require.NoError(t, err)
	require.Len(t, pkgs, 2)
	for _, p := range pkgs {
		m, errs := model.Build(p)
		require.Empty(t, errs)
		for src, comps := range m.BySource() {
			first, err := File(m, src, comps)
			require.NoError(t, err)
			for range 20 {
				again, err := File(m, src, comps)
				require.NoError(t, err)
				require.True(t, bytes.Equal(first, again), "%s: two runs differ", src)
			}
		}
	}
}
