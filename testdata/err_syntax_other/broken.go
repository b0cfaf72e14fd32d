package err_syntax_other

func broken( {
