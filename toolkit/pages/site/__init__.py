"""The supporters' share kit: a static site of verified graphics, ready posts, share links and a
call script, in every campaign language (`toolkit site build`)."""
