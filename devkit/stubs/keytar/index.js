'use strict';
// Only the Forge CLI's credential store calls keytar; the offline checks never log in.
const unavailable = () => Promise.reject(new Error('keytar is not available: the offline Forge checks do not store credentials'));
module.exports = { getPassword: unavailable, setPassword: unavailable, deletePassword: unavailable, findCredentials: unavailable, findPassword: unavailable };
