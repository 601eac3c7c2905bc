// The sign-in page: POST /api/session with the CSRF token of GET /api/session, then the console.
import { api, loadSession, ApiError } from '/console/api.js';

const form = document.getElementById('login');
const error = document.getElementById('login-error');

const session = await loadSession();
if (session.signedIn) location.replace('/console/');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    error.textContent = 'Enter your address and password.';
    error.hidden = false;
    return;
  }
  form.querySelector('button').disabled = true;
  try {
    await api.post('/api/session', { username, password }, { allowAnonymous: true });
    location.replace('/console/');
  } catch (e) {
    error.textContent = e instanceof ApiError ? e.message : 'Cannot reach the server.';
    error.hidden = false;
    form.password.select();
  } finally {
    form.querySelector('button').disabled = false;
  }
});
